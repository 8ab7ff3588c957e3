"""The data contract: standards (enumerations, statuses, labels), paths, file primitives and validation of data/."""
