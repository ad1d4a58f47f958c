// The JSON of a tape file, parsed for import: a DOM of everything but the response bodies, which are
// written out as compact JSON text while the parser reads them.
//
// Bodies are most of a tape file's bytes (command outputs), and import stores each as its compact
// dump. Building their DOM, one node and one allocation per value, only to dump it again would be most
// of import's parsing cost; nlohmann's SAX interface lets the bodies go straight from the lexer to text.
#ifndef SSM_REPLAY_STORE_TAPE_FILE_TAPE_DOCUMENT_H_
#define SSM_REPLAY_STORE_TAPE_FILE_TAPE_DOCUMENT_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "store/json_escape.h"  // AppendJsonString, which the tape file's writers use

namespace ssm {

// Parses `text` into `doc` exactly as nlohmann::ordered_json::parse(text) would, except that the value
// of every "body" member of interactions[i].response (any JSON type) is replaced by a string holding
// that value's compact dump: the bytes of `value.dump(-1, ' ', false, error_handler_t::strict)`.
//
// Returns false, leaving `doc` unspecified, when `text` is not valid JSON or when an object inside a
// body has the same key twice (the DOM keeps the last value at the first one's place, which text
// already written cannot follow). Callers then parse with ordered_json::parse, which also says what
// is wrong with the text; every other document gives the same result both ways.
bool ParseTapeDocument(std::string_view text, nlohmann::ordered_json* doc);

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_TAPE_FILE_TAPE_DOCUMENT_H_
