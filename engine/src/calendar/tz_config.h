// Howard Hinnant's tz library, configured as Debian builds libdate-tz: it reads the OS tz
// database (/usr/share/zoneinfo) and must be compiled with USE_OS_TZDB=1, or the declarations
// here would not match the library's. Include <date/tz.h> only through this header.
#pragma once

#if defined(USE_OS_TZDB) && !USE_OS_TZDB
#error "libdate-tz on Debian is built with USE_OS_TZDB=1"
#endif
#ifndef USE_OS_TZDB
#define USE_OS_TZDB 1
#endif

#include <date/date.h>
#include <date/tz.h>
