"""Pipeline: parameters, notebook execution (papermill), HTML conversion (nbconvert), publishing, manifest, build, command line."""
