# The Go toolchains every Go fixture is built with, and the one place that
# decides them. The first is the primary toolchain: the one the demo, the
# benchmarks, the leak tests and build/fixtures/ (a link to its directory)
# use. Each entry is a Go release as `go version` names it; a shorter name
# matches any patch release of it (go1.19 is Debian's golang-go, 1.19.8).
#
#   go1.26.8  the machine's Go, first on PATH
#   go1.27.3  the newest release, fetched by the go command from the module
#             proxy (GOTOOLCHAIN=go1.27.3) into the module cache
#   go1.19    Debian's golang-go: the oldest release kept under test
#
# Override with -DGOTRACE_GO_TOOLCHAINS="go1.26.8" for a quicker build.
set(GOTRACE_GO_TOOLCHAINS "go1.26.8;go1.27.3;go1.19" CACHE STRING
    "Go toolchains the fixtures are built with (the first is primary)")

# The sanitized build (scripts/build-sanitized.sh) runs the suite again on
# the primary toolchain's fixtures only: it checks gotrace's own memory and
# UB, which do not depend on the Go release.
option(GOTRACE_GO_PRIMARY_ONLY "Build the fixtures with the primary toolchain only" OFF)
if(GOTRACE_GO_PRIMARY_ONLY)
  list(GET GOTRACE_GO_TOOLCHAINS 0 GOTRACE_GO_TOOLCHAINS)
endif()

find_program(GO_ON_PATH go REQUIRED)

# The `go` binary of release `tc` in ${out}, or a fatal error saying how to
# get it.
function(gotrace_find_go tc out)
  set(candidates ${GO_ON_PATH})
  string(REGEX MATCH "^go([0-9]+\\.[0-9]+)" _ "${tc}")
  list(APPEND candidates /usr/lib/go-${CMAKE_MATCH_1}/bin/go)
  foreach(go ${candidates})
    if(EXISTS ${go})
      execute_process(COMMAND env GOTOOLCHAIN=local ${go} env GOVERSION
                      OUTPUT_VARIABLE version OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
      if(rc EQUAL 0 AND (version STREQUAL tc OR version MATCHES "^${tc}\\."))
        set(${out} ${go} PARENT_SCOPE)
        return()
      endif()
    endif()
  endforeach()
  # Not installed: the go command (1.21+) fetches a release as a module.
  execute_process(COMMAND env GOTOOLCHAIN=${tc} ${GO_ON_PATH} env GOROOT
                  OUTPUT_VARIABLE goroot ERROR_VARIABLE err OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT EXISTS ${goroot}/bin/go)
    message(FATAL_ERROR "Go toolchain ${tc} not found: not on PATH, not in /usr/lib/go-*, and "
                        "`GOTOOLCHAIN=${tc} go env GOROOT` failed: ${err}")
  endif()
  set(${out} ${goroot}/bin/go PARENT_SCOPE)
endfunction()

set(GOTRACE_GO_PRIMARY "")
foreach(tc ${GOTRACE_GO_TOOLCHAINS})
  gotrace_find_go(${tc} go)
  set(GO_EXECUTABLE_${tc} ${go})
  if(NOT GOTRACE_GO_PRIMARY)
    set(GOTRACE_GO_PRIMARY ${tc})
  endif()
  message(STATUS "Go toolchain ${tc}: ${go}")
endforeach()

# The toolchains of the matrix from Go 1.<minor> on, in ${out}: for tests of
# what older releases cannot build.
function(gotrace_toolchains_since minor out)
  set(list "")
  foreach(tc ${GOTRACE_GO_TOOLCHAINS})
    if(tc MATCHES "^go1\\.([0-9]+)" AND CMAKE_MATCH_1 GREATER_EQUAL minor)
      list(APPEND list ${tc})
    endif()
  endforeach()
  set(${out} ${list} PARENT_SCOPE)
endfunction()
