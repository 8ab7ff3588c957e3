from police_lists.pipeline.cli import main

raise SystemExit(main())
