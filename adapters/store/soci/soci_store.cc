// The SOCI store: see soci_store.h (in progress).
