#include "store/tape_file/tape_document.h"

#include <charconv>
#include <cstdint>
#include <iterator>
#include <vector>

#include "store/tape_file/compact_json.h"

namespace ssm {
namespace {

using ordered_json = nlohmann::ordered_json;

// Where a container sits in the tape file's layout. Only the value of interactions[i].response.body
// is written as text; everything else goes into the DOM.
enum class Place : uint8_t { kRoot, kInteractions, kInteraction, kResponse, kOther };

constexpr size_t kObjectCapacity = 8;

// Where the parser's reading goes next. Once a body has been copied by CompactJsonValue, the parser
// need not read it: the builder arms a jump so that the parser reads "0" in its place and goes on
// after it (the builder knows the 0 stands for the body).
struct TextJump {
  const char* pos;                  // the next byte the parser reads
  const char* from = nullptr;       // on arriving here, go to `to`
  const char* to = nullptr;
  const char* then_from = nullptr;  // and then arm this jump
  const char* then_to = nullptr;
};

constexpr char kStandIn[] = "0";

// The text as nlohmann's parser reads it (an input iterator over chars), following `jump`.
class TextIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  TextIterator(const char* p, TextJump* jump) : p_(p), jump_(jump) {}
  reference operator*() const { return *p_; }
  TextIterator& operator++() {
    if (++p_ == jump_->from) {
      p_ = jump_->to;
      jump_->from = jump_->then_from;
      jump_->to = jump_->then_to;
      jump_->then_from = nullptr;
    }
    jump_->pos = p_;
    return *this;
  }
  bool operator==(const TextIterator& o) const { return p_ == o.p_; }
  bool operator!=(const TextIterator& o) const { return p_ != o.p_; }

 private:
  const char* p_;
  TextJump* jump_;  // shared by the parser's copies and the builder
};

const char* SkipSpace(const char* p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
  return p;
}

// A SAX handler (nlohmann's SAX concept, used statically) that does what nlohmann's own DOM builder
// (detail::json_sax_dom_parser) does, but streams bodies as compact text.
class TapeDocumentBuilder {
 public:
  using number_integer_t = ordered_json::number_integer_t;
  using number_unsigned_t = ordered_json::number_unsigned_t;
  using number_float_t = ordered_json::number_float_t;
  using string_t = ordered_json::string_t;
  using binary_t = ordered_json::binary_t;

  // `jump` is the one the parser's TextIterators follow, over text that ends at `end`.
  TapeDocumentBuilder(ordered_json* root, TextJump* jump, const char* end, size_t text_size)
      : root_(root), jump_(jump), end_(end) {
    body_.reserve(text_size);
  }
  TapeDocumentBuilder(const TapeDocumentBuilder&) = delete;
  TapeDocumentBuilder& operator=(const TapeDocumentBuilder&) = delete;

  bool null() { return Scalar(nullptr, "null"); }
  bool boolean(bool v) { return Scalar(v, v ? "true" : "false"); }
  bool number_integer(number_integer_t v) { return Number(v); }
  bool number_unsigned(number_unsigned_t v) {
    if (copied_body_) {  // the stand-in for a body already copied
      copied_body_ = false;
      Put(body_);
      return true;
    }
    return Number(v);
  }
  bool number_float(number_float_t v, const string_t& /*text*/) {
    if (!Streams()) {
      Put(v);
      return true;
    }
    // Rare in bodies: nlohmann's serializer prints it, so the digits are the same.
    BeginStreamedValue();
    body_ += ordered_json(v).dump();
    return EndStreamedValue();
  }
  bool string(string_t& v) {
    if (!Streams()) {
      Put(v);
      return true;
    }
    BeginStreamedValue();
    AppendJsonString(v, &body_);
    return EndStreamedValue();
  }
  bool binary(binary_t& /*v*/) { return false; }  // JSON text has none

  bool start_object(std::size_t /*len*/) {
    if (Streams()) {
      BeginStreamedValue();
      body_.push_back('{');
      frames_.push_back({true, true, keys_used_});
      return true;
    }
    Place place = ChildPlace(/*is_object=*/true);
    ref_stack_.push_back(Put(ordered_json::value_t::object));
    // An ordered_json object is a vector of (const key, value) pairs: growing it copies every value
    // already in it, deeply (a const key makes the pair's move throwing). Tape file objects have at
    // most a few members.
    ref_stack_.back()->get_ptr<ordered_json::object_t*>()->reserve(kObjectCapacity);
    places_.push_back(place);
    return true;
  }
  bool end_object() {
    if (streaming_) {
      body_.push_back('}');
      keys_used_ = frames_.back().keys_begin;
      frames_.pop_back();
      return EndStreamedValue();
    }
    ref_stack_.pop_back();
    places_.pop_back();
    return true;
  }
  bool start_array(std::size_t /*len*/) {
    if (Streams()) {
      BeginStreamedValue();
      body_.push_back('[');
      frames_.push_back({false, true, keys_used_});
      return true;
    }
    Place place = ChildPlace(/*is_object=*/false);
    ref_stack_.push_back(Put(ordered_json::value_t::array));
    places_.push_back(place);
    return true;
  }
  bool end_array() {
    if (streaming_) {
      body_.push_back(']');
      frames_.pop_back();
      return EndStreamedValue();
    }
    ref_stack_.pop_back();
    places_.pop_back();
    return true;
  }

  bool key(string_t& k) {
    if (streaming_) {
      Frame& f = frames_.back();
      for (size_t i = f.keys_begin; i < keys_used_; ++i) {
        if (keys_[i] == k) return false;  // a duplicate: the caller falls back to the DOM parser
      }
      if (keys_used_ == keys_.size()) keys_.emplace_back();
      keys_[keys_used_++].assign(k);
      if (!f.first) body_.push_back(',');
      f.first = false;
      AppendJsonString(k, &body_);
      body_.push_back(':');
      return true;
    }
    // As json_sax_dom_parser: a repeated key's value replaces the earlier one, at its place.
    object_element_ = &(*ref_stack_.back())[k];
    Place parent = places_.back();
    next_ = parent == Place::kRoot && k == "interactions" ? Place::kInteractions
            : parent == Place::kInteraction && k == "response" ? Place::kResponse
                                                               : Place::kOther;
    body_next_ = parent == Place::kResponse && k == "body";
    if (body_next_) CopyBody();
    return true;
  }

  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*ex*/) {
    return false;
  }

 private:
  struct Frame {
    bool is_object;
    bool first;         // nothing written in it yet
    size_t keys_begin;  // its keys are keys_[keys_begin, keys_used_)
  };

  bool Streams() const { return streaming_ || body_next_; }

  // Right after a body's key: copies the body's value when its text is already compact JSON but for
  // whitespace, and has the parser read a stand-in instead. Else the body is streamed. A copied value
  // ends before whitespace, ',', '}' or ']' (CompactJsonValue checks), so whatever follows, the
  // parser reads the stand-in as the one token 0 and sees every error after it.
  void CopyBody() {
    const char* colon = SkipSpace(jump_->pos, end_);
    if (colon == end_ || *colon != ':') return;  // the parser reports it
    const char* value = SkipSpace(colon + 1, end_);
    const char* value_end = CompactJsonValue(value, end_, &body_);
    if (value_end == nullptr) return;
    jump_->from = value;
    jump_->to = kStandIn;
    jump_->then_from = kStandIn + 1;
    jump_->then_to = value_end;
    body_next_ = false;
    copied_body_ = true;
  }

  // The place of a container starting now, from its parent's and the key it comes under.
  Place ChildPlace(bool is_object) const {
    if (ref_stack_.empty()) return is_object ? Place::kRoot : Place::kOther;
    if (ref_stack_.back()->is_array()) {
      return is_object && places_.back() == Place::kInteractions ? Place::kInteraction : Place::kOther;
    }
    if (is_object) return next_ == Place::kResponse ? Place::kResponse : Place::kOther;
    return next_ == Place::kInteractions ? Place::kInteractions : Place::kOther;
  }

  template <typename N>
  bool Number(N v) {
    if (!Streams()) {
      Put(v);
      return true;
    }
    BeginStreamedValue();
    char buf[24];  // nlohmann prints integers in plain decimal too
    body_.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
    return EndStreamedValue();
  }

  // Puts a value into the DOM where nlohmann's DOM builder would, returning where it went.
  template <typename V>
  ordered_json* Put(V&& v) {
    if (ref_stack_.empty()) {
      *root_ = ordered_json(std::forward<V>(v));
      return root_;
    }
    ordered_json* top = ref_stack_.back();
    if (top->is_array()) {
      top->emplace_back(std::forward<V>(v));
      return &top->back();
    }
    *object_element_ = ordered_json(std::forward<V>(v));
    return object_element_;
  }

  template <typename V>
  bool Scalar(V&& v, std::string_view text) {
    if (!Streams()) {
      Put(std::forward<V>(v));
      return true;
    }
    BeginStreamedValue();
    body_.append(text);
    return EndStreamedValue();
  }

  // Called before each value written as text: starts a body, or separates array elements.
  void BeginStreamedValue() {
    if (body_next_) {
      body_next_ = false;
      streaming_ = true;
      body_.clear();
      return;
    }
    Frame& f = frames_.back();
    if (!f.is_object) {
      if (!f.first) body_.push_back(',');
      f.first = false;
    }
  }
  // Called after each value written as text (a container: at its end): a finished body goes into the
  // DOM as a string.
  bool EndStreamedValue() {
    if (!frames_.empty()) return true;
    streaming_ = false;
    Put(body_);  // copied: body_ keeps its capacity for the next body
    return true;
  }

  ordered_json* root_;
  TextJump* jump_;
  const char* end_;
  std::vector<ordered_json*> ref_stack_;  // open DOM containers, innermost last
  std::vector<Place> places_;             // parallel to ref_stack_
  ordered_json* object_element_ = nullptr;
  Place next_ = Place::kOther;  // what a container after the last key would be
  bool body_next_ = false;      // the next value is a body
  bool streaming_ = false;      // inside a body
  bool copied_body_ = false;    // body_ holds the body the parser reads a stand-in for
  std::string body_;
  std::vector<Frame> frames_;  // open containers of the body being written
  std::vector<std::string> keys_;
  size_t keys_used_ = 0;
};

}  // namespace

bool ParseTapeDocument(std::string_view text, nlohmann::ordered_json* doc) {
  const char* end = text.data() + text.size();
  TextJump jump{text.data()};
  TapeDocumentBuilder builder(doc, &jump, end, text.size());
  return ordered_json::sax_parse(TextIterator(text.data(), &jump), TextIterator(end, &jump), &builder);
}

}  // namespace ssm
