# Small helpers so every target is declared the same way, with the same warnings and sanitizers.
#
#   rectify_library(NAME SOURCES... DEPS ...)     a static library
#   rectify_test(NAME SOURCES... DEPS ... [LABELS ...] [PGTEST])
#       a GoogleTest executable whose cases are discovered into CTest. PGTEST marks a test that
#       needs PostgreSQL: it requires the throw-away cluster fixture (tests/CMakeLists.txt).

function(rectify_target_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wno-missing-field-initializers)
  if(RECTIFY_WERROR)
    # g++ 12's -Wmaybe-uninitialized reports false positives inside libstdc++ (std::regex,
    # std::optional) at -O2 and under the sanitizers; it stays a warning, not an error.
    target_compile_options(${target} PRIVATE -Werror -Wno-error=maybe-uninitialized)
  endif()
  if(RECTIFY_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "EXECUTABLE")
      # What LeakSanitizer leaves alone: the font libraries' caches (see the file).
      target_sources(${target} PRIVATE ${RECTIFY_SOURCE_DIR}/cmake/sanitizer_suppressions.cc)
    endif()
  endif()
endfunction()

function(rectify_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PUBLIC_INCLUDE" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  if(ARG_PUBLIC_INCLUDE)
    target_include_directories(${name} PUBLIC ${ARG_PUBLIC_INCLUDE})
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  rectify_target_options(${name})
endfunction()

function(rectify_test name)
  cmake_parse_arguments(ARG "PGTEST" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} rectify_test_support GTest::gtest GTest::gmock GTest::gtest_main)
  rectify_target_options(${name})
  set(props ENVIRONMENT "RECTIFY_TEST_PG_URL_FILE=${CMAKE_BINARY_DIR}/pgtest/url")
  if(ARG_LABELS)
    list(APPEND props LABELS "${ARG_LABELS}")
  endif()
  if(ARG_PGTEST)
    list(APPEND props FIXTURES_REQUIRED pg_cluster)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ${props})
endfunction()
