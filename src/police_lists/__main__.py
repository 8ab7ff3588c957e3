from police_lists.cli import main

raise SystemExit(main())
