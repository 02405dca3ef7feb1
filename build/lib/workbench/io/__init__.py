"""Reading raw exports and writing canonical tables. All file I/O lives in this subpackage."""
