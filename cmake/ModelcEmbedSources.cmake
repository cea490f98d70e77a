# modelc_embed_sources(OUTPUT INC ENTRIES NAME=FILE...)
#
# Adds a build step that writes INC (a .inc file in the current binary
# folder) with one `static const char NAME[] = R"...";` per entry, rebuilt
# when a FILE changes, so a target's runtime sources ship inside modelc. Sets
# OUTPUT in the caller to the .inc path, for the target's source list.
function(modelc_embed_sources output inc)
  cmake_parse_arguments(ARG "" "" "ENTRIES" ${ARGN})
  set(files)
  foreach(entry ${ARG_ENTRIES})
    string(REPLACE "=" ";" pair "${entry}")
    list(GET pair 1 file)
    list(APPEND files ${file})
  endforeach()
  set(path ${CMAKE_CURRENT_BINARY_DIR}/${inc})
  string(REPLACE ";" "|" escaped "${ARG_ENTRIES}")
  add_custom_command(
    OUTPUT ${path}
    COMMAND ${CMAKE_COMMAND} "-DENTRIES=${escaped}" -DOUTPUT=${path}
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedSources.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/EmbedSources.cmake
    COMMENT "Embedding ${inc}"
    VERBATIM)
  set(${output} ${path} PARENT_SCOPE)
endfunction()
