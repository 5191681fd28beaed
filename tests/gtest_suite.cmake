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
