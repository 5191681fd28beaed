# Registers the tests of a gtest executable with `labels` and, if given, the
# environment variable setting. gtest_discover_tests cannot pass a list-valued
# property (it splits LABELS "a;b" into separate arguments, which shifts every
# later key and value), so they are set by a ctest include file read after the
# discovered tests.
function(add_gtest_suite target list prefix labels)
  gtest_discover_tests(${target} TEST_PREFIX "${prefix}" TEST_LIST ${list} DISCOVERY_TIMEOUT 60)
  set(env "")
  if(ARGN)
    set(env " ENVIRONMENT \"${ARGN}\"")
  endif()
  set(file ${CMAKE_CURRENT_BINARY_DIR}/${list}_properties.cmake)
  file(WRITE ${file} "if(${list})\n  set_tests_properties(\${${list}} PROPERTIES LABELS \"${labels}\"${env})\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${file})
endfunction()

# The same, once per Go toolchain of the matrix (go_toolchains.cmake): each
# test's name ends in @<release> (Suite.Test@go1.27.3) and carries the label
# <release>; it finds that release's fixtures through GOTRACE_FIXTURES and
# its go command through GOTRACE_GO (tests/unit/common/fixture_dir.h).
# PINNED release=filter...: tests matching the gtest filter run with that
# release only (golden data recorded from its builds; "go1.26.8|go1.27.3="
# names several); ENV: more variables,
# where <release> stands for the release; TOOLCHAINS: only these releases
# of the matrix; LOCK name: no two of these tests run at once (ctest's
# RESOURCE_LOCK: they share something fixed, such as a port).
function(add_gtest_matrix target list prefix labels)
  cmake_parse_arguments(M "" "LOCK" "ENV;PINNED;TOOLCHAINS" ${ARGN})
  set(lock "")
  if(M_LOCK)
    set(lock " RESOURCE_LOCK ${M_LOCK}")
  endif()
  if(NOT M_TOOLCHAINS)
    set(M_TOOLCHAINS ${GOTRACE_GO_TOOLCHAINS})
  endif()
  foreach(tc ${M_TOOLCHAINS})
    string(REPLACE "<release>" "${tc}" more_env "${M_ENV}")
    set(env GOTRACE_FIXTURES=${CMAKE_BINARY_DIR}/fixtures/${tc} GOTRACE_GO=${GO_EXECUTABLE_${tc}} ${more_env})
    set(excluded "")
    foreach(pin ${M_PINNED})
      string(REGEX MATCH "^([^=]+)=(.*)$" _ "${pin}")
      string(REPLACE "|" ";" pinned_releases "${CMAKE_MATCH_1}")
      if(NOT tc IN_LIST pinned_releases)
        list(APPEND excluded ${CMAKE_MATCH_2})
      endif()
    endforeach()
    set(filter "*")
    if(excluded)
      list(JOIN excluded ":" excluded)
      set(filter "*-${excluded}")
    endif()
    string(REPLACE "." "_" id ${tc})
    gtest_discover_tests(${target} TEST_PREFIX "${prefix}" TEST_SUFFIX "@${tc}" TEST_LIST ${list}_${id}
                         TEST_FILTER "${filter}" DISCOVERY_TIMEOUT 60)
    set(file ${CMAKE_CURRENT_BINARY_DIR}/${list}_${id}_properties.cmake)
    file(WRITE ${file} "if(${list}_${id})\n  set_tests_properties(\${${list}_${id}} PROPERTIES LABELS \"${labels};${tc}\" ENVIRONMENT \"${env}\"${lock})\nendif()\n")
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${file})
  endforeach()
endfunction()
