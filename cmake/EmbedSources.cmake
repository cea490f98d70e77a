# Writes OUTPUT with one `static const char NAME[] = R"...";` per VAR=FILE pair
# in ENTRIES (a |-separated list), so runtime sources ship inside modelc.
string(REPLACE "|" ";" ENTRIES "${ENTRIES}")
set(content "// Generated from targets/C/runtime by cmake/EmbedSources.cmake.\n")
foreach(entry ${ENTRIES})
  string(REPLACE "=" ";" pair "${entry}")
  list(GET pair 0 var)
  list(GET pair 1 file)
  file(READ "${file}" text)
  string(APPEND content "static const char ${var}[] = R\"modelc_src(${text})modelc_src\";\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "${content}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
