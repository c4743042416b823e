// The built-in redactors (respan::redact): hand-written linear scanners, no std::regex (slow,
// and its recursive matcher can exhaust the exporter thread's stack on long inputs). Each
// scanner finds the byte ranges to replace; the string is rebuilt only when one is found.
#include <algorithm>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <utility>
#include <vector>

#include <respan/privacy.hpp>

namespace respan::redact {

namespace {

using Range = std::pair<std::size_t, std::size_t>;  // [begin, end)

// One table lookup per byte on the scanners' hot loops.
enum : unsigned char {
  kDigit = 1,       // 0-9
  kAlpha = 2,       // A-Z a-z
  kUnderscore = 4,  // _
  kDash = 8,        // -
  kPhoneLead = 16,  // + (
};

struct ByteClasses {
  unsigned char c[256] = {};
  constexpr ByteClasses() {
    for (int i = '0'; i <= '9'; ++i)
      c[i] = kDigit;
    for (int i = 'a'; i <= 'z'; ++i)
      c[i] = kAlpha;
    for (int i = 'A'; i <= 'Z'; ++i)
      c[i] = kAlpha;
    c[static_cast<unsigned char>('_')] = kUnderscore;
    c[static_cast<unsigned char>('-')] = kDash;
    c[static_cast<unsigned char>('+')] = kPhoneLead;
    c[static_cast<unsigned char>('(')] = kPhoneLead;
  }
};
constexpr ByteClasses kClasses;

inline unsigned char cls(char c) {
  return kClasses.c[static_cast<unsigned char>(c)];
}
bool is_digit(char c) {
  return (cls(c) & kDigit) != 0;
}
bool is_alpha(char c) {
  return (cls(c) & kAlpha) != 0;
}
bool is_alnum(char c) {
  return (cls(c) & (kDigit | kAlpha)) != 0;
}
bool is_upper_or_digit(char c) {
  return (c >= 'A' && c <= 'Z') || is_digit(c);
}
// A character that continues a word: an identifier or a key cannot start right after one.
bool is_word(char c) {
  return (cls(c) & (kDigit | kAlpha | kUnderscore)) != 0;
}
char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Scratch vectors of the calling thread (the exporter's), reused from call to call.
template <class T>
std::vector<T>& scratch() {
  thread_local std::vector<T> v;
  v.clear();
  return v;
}

// Skipping to the next byte a scanner cares about, 8 bytes at a time (SWAR): `any8` says
// exactly whether a word of 8 bytes holds one, `one` which byte it is.
constexpr std::uint64_t kOnes = 0x0101010101010101ull;
constexpr std::uint64_t kHigh = 0x8080808080808080ull;
inline std::uint64_t has_zero(std::uint64_t v) {
  return (v - kOnes) & ~v & kHigh;
}
inline std::uint64_t has_byte(std::uint64_t x, unsigned char b) {
  return has_zero(x ^ (kOnes * b));
}
// A byte in '0'..'9' (bytes >= 0x80 never count).
inline std::uint64_t has_digit(std::uint64_t x) {
  constexpr std::uint64_t m = '0' - 1;
  constexpr std::uint64_t n = '9' + 1;
  const std::uint64_t low = x & (kOnes * 127);
  return ((kOnes * (127 + n) - low) & ~x & (low + kOnes * (127 - m))) & kHigh;
}

// The byte sets the scanners skip to: one() tests a byte, any8() a word of 8 (exactly), and
// with SSE2 (every x86-64) block() marks the bytes of 16 at once.
struct DigitSet {
  static bool one(char c) { return is_digit(c); }
  static std::uint64_t any8(std::uint64_t x) { return has_digit(x); }
#if defined(__SSE2__)
  static __m128i block(__m128i v) {
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                         _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
  }
#endif
};
struct PhoneSet {
  static bool one(char c) { return (cls(c) & (kDigit | kPhoneLead)) != 0; }
  static std::uint64_t any8(std::uint64_t x) {
    return has_digit(x) | has_byte(x, '+') | has_byte(x, '(');
  }
#if defined(__SSE2__)
  static __m128i block(__m128i v) {
    return _mm_or_si128(DigitSet::block(v), _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('+')),
                                                         _mm_cmpeq_epi8(v, _mm_set1_epi8('('))));
  }
#endif
};
// Every credential shape holds one of these within its first 12 bytes (see find_secrets()).
struct SecretSet {
  static bool one(char c) {
    return c == '-' || c == '_' || c == 'A' || c == 'B' || c == 'J' || c == 'b';
  }
  static std::uint64_t any8(std::uint64_t x) {
    return has_byte(x, '-') | has_byte(x, '_') | has_byte(x, 'A') | has_byte(x, 'B') |
           has_byte(x, 'J') | has_byte(x, 'b');
  }
#if defined(__SSE2__)
  static __m128i block(__m128i v) {
    const __m128i a =
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')), _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
    const __m128i b =
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('A')), _mm_cmpeq_epi8(v, _mm_set1_epi8('B')));
    const __m128i c =
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('J')), _mm_cmpeq_epi8(v, _mm_set1_epi8('b')));
    return _mm_or_si128(a, _mm_or_si128(b, c));
  }
#endif
};

// The first position at or after `i` of a byte of `Set`, or s.size().
template <class Set>
std::size_t skip_to(std::string_view s, std::size_t i) {
  const std::size_t n = s.size();
#if defined(__SSE2__)
  while (i + 16 <= n) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(Set::block(v)));
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
    i += 16;
  }
#endif
  while (i + 8 <= n) {
    std::uint64_t x;
    std::memcpy(&x, s.data() + i, 8);
    if (Set::any8(x) != 0) break;
    i += 8;
  }
  while (i < n && !Set::one(s[i]))
    ++i;
  return i;
}

enum class Kind { email, phone, card, secret };

// ------------------------------------------------------------------ e-mail addresses
bool email_local(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool email_domain(char c) {
  return is_alnum(c) || c == '.' || c == '-';
}

void find_emails(std::string_view s, std::vector<Range>& out) {
  std::size_t from = 0;
  while (from < s.size()) {
    const void* hit = std::memchr(s.data() + from, '@', s.size() - from);
    if (hit == nullptr) return;
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(hit) - s.data());
    std::size_t b = at;
    while (b > from && email_local(s[b - 1]))
      --b;
    while (b < at && s[b] == '.')
      ++b;
    std::size_t e = at + 1;
    while (e < s.size() && email_domain(s[e]))
      ++e;
    while (e > at + 1 && (s[e - 1] == '.' || s[e - 1] == '-'))
      --e;  // a sentence's full stop
    bool ok = b < at && e > at + 1;
    if (ok) {
      // Labels non-empty, at least two, the last 2+ letters.
      const std::string_view domain = s.substr(at + 1, e - at - 1);
      const std::size_t last_dot = domain.rfind('.');
      ok = last_dot != std::string_view::npos && last_dot > 0 &&
           domain.find("..") == std::string_view::npos && domain.size() - last_dot - 1 >= 2;
      if (ok) {
        for (std::size_t i = last_dot + 1; i < domain.size(); ++i)
          ok = ok && is_alpha(domain[i]);
      }
    }
    if (ok) {
      out.emplace_back(b, e);
      from = e;
    } else {
      from = at + 1;
    }
  }
}

// ------------------------------------------------------------------ digit groups
// A run of digit groups joined by single separators from `seps` (cards: space and dash;
// phones: space, dash, dot and parentheses).
struct Group {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// ------------------------------------------------------------------ card numbers
// The Luhn checksum, fed digits right to left.
struct LuhnSum {
  int sum = 0;
  bool dbl = false;
  void add(char c) {
    int d = c - '0';
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  bool valid() const { return sum % 10 == 0; }
};

bool luhn_of(std::string_view s, const std::vector<Group>& groups, std::size_t a, std::size_t b) {
  LuhnSum luhn;  // digits of groups a..b, right to left
  for (std::size_t g = b + 1; g-- > a;) {
    for (std::size_t i = groups[g].end; i-- > groups[g].begin;)
      luhn.add(s[i]);
  }
  return luhn.valid();
}

void find_cards(std::string_view s, std::vector<Range>& out) {
  std::vector<Group>& groups = scratch<Group>();
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    i = skip_to<DigitSet>(s, i);
    if (i == n) break;
    if (i > 0 && is_word(s[i - 1])) {
      ++i;
      while (i < n && is_word(s[i]))
        ++i;  // the rest of that word
      continue;
    }
    // Groups separated by one space or dash.
    groups.clear();
    std::size_t p = i;
    for (;;) {
      Group g{p, p};
      while (g.end < s.size() && is_digit(s[g.end]))
        ++g.end;
      groups.push_back(g);
      p = g.end;
      if (p + 1 < s.size() && (s[p] == ' ' || s[p] == '-') && is_digit(s[p + 1])) {
        ++p;
        continue;
      }
      break;
    }
    const std::size_t run_end = groups.back().end;
    const bool glued_after = run_end < s.size() && is_word(s[run_end]);
    // The longest window of whole groups, from each group, of 13..19 digits passing Luhn.
    std::size_t a = 0;
    while (a < groups.size()) {
      std::size_t digits = 0;
      std::size_t best = groups.size();
      for (std::size_t b = a; b < groups.size(); ++b) {
        digits += groups[b].end - groups[b].begin;
        if (digits > 19) break;
        if (b == groups.size() - 1 && glued_after) break;
        if (digits >= 13 && luhn_of(s, groups, a, b)) best = b;
      }
      if (best != groups.size()) {
        out.emplace_back(groups[a].begin, groups[best].end);
        a = best + 1;
      } else {
        ++a;
      }
    }
    i = run_end;
  }
}

// ------------------------------------------------------------------ phone numbers
void find_phones(std::string_view s, std::vector<Range>& out) {
  std::vector<Group>& groups = scratch<Group>();
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < s.size()) {
    i = skip_to<PhoneSet>(s, i);
    if (i == n) break;
    if (i > 0 && is_word(s[i - 1])) {
      ++i;
      while (i < n && is_word(s[i]))
        ++i;  // the rest of that word
      continue;
    }
    const char c = s[i];
    const bool starts = is_digit(c) || ((c == '+' || c == '(') && i + 1 < s.size() &&
                                        (is_digit(s[i + 1]) || s[i + 1] == '('));
    if (!starts || (i > 0 && (is_word(s[i - 1]) || s[i - 1] == '+'))) {
      ++i;
      continue;
    }
    const bool plus = c == '+';
    // Digit groups joined by at most two separator characters among " -.()".
    groups.clear();
    std::size_t p = plus ? i + 1 : i;
    for (;;) {
      std::size_t q = p;
      int seps = 0;
      while (q < s.size() && seps < 3 &&
             (s[q] == ' ' || s[q] == '-' || s[q] == '.' || s[q] == '(' || s[q] == ')')) {
        ++q;
        ++seps;
      }
      if (q >= s.size() || !is_digit(s[q]) || seps > 2 || (!groups.empty() && seps == 0)) break;
      Group g{q, q};
      while (g.end < s.size() && is_digit(s[g.end]))
        ++g.end;
      groups.push_back(g);
      p = g.end;
    }
    if (groups.empty()) {
      ++i;
      continue;
    }
    const std::size_t run_end = groups.back().end;
    const bool glued_after = run_end < s.size() && is_word(s[run_end]);
    auto sep_before_is_space = [&](std::size_t g) {
      std::size_t k = groups[g].begin;
      while (k > groups[g - 1].end && (s[k - 1] == '(' || s[k - 1] == ')'))
        --k;
      return k > groups[g - 1].end && s[k - 1] == ' ';
    };
    std::size_t a = 0;
    while (a < groups.size()) {
      if (a > 0 && !sep_before_is_space(a)) {
        ++a;
        continue;
      }
      const bool with_plus = plus && a == 0;
      std::size_t digits = 0;
      std::size_t best = groups.size();
      for (std::size_t b = a; b < groups.size(); ++b) {
        digits += groups[b].end - groups[b].begin;
        if (digits > 15) break;
        const bool last = b == groups.size() - 1;
        if (last && glued_after) break;
        if (!last && !sep_before_is_space(b + 1)) continue;  // end only before a space
        const std::size_t last_len = groups[b].end - groups[b].begin;
        const std::size_t first_len = groups[a].end - groups[a].begin;
        const bool ok =
            with_plus ? digits >= 8
                      : (digits >= 10 && digits <= 11 && b > a && last_len >= 3 && first_len <= 4);
        if (ok) best = b;
      }
      if (best != groups.size()) {
        std::size_t begin = with_plus ? i : groups[a].begin;
        if (!with_plus && begin > 0 && s[begin - 1] == '(') --begin;
        out.emplace_back(begin, groups[best].end);
        a = best + 1;
      } else {
        ++a;
      }
    }
    i = run_end;
  }
}

// ------------------------------------------------------------------ credentials
bool starts_with_ci(std::string_view s, std::size_t i, std::string_view prefix) {
  if (s.size() - i < prefix.size()) return false;
  for (std::size_t k = 0; k < prefix.size(); ++k) {
    if (lower(s[i + k]) != prefix[k]) return false;
  }
  return true;
}
bool starts_with(std::string_view s, std::size_t i, std::string_view prefix) {
  return s.size() - i >= prefix.size() && s.compare(i, prefix.size(), prefix) == 0;
}

template <class Pred>
std::size_t span_of(std::string_view s, std::size_t i, Pred pred) {
  while (i < s.size() && pred(s[i]))
    ++i;
  return i;
}

bool key_char(char c) {
  return is_alnum(c) || c == '_' || c == '-';
}
bool token68(char c) {  // RFC 7235 token68 (a bearer token)
  return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' ||
         c == '=';
}
bool b64url(char c) {
  return is_alnum(c) || c == '-' || c == '_';
}

// The end of a key at `i`, or 0 when none starts there. `tok` is where the redacted part
// begins (after "Bearer ").
std::size_t secret_at(std::string_view s, std::size_t i, std::size_t& tok) {
  tok = i;
  switch (s[i]) {
    case 'B':
    case 'b': {
      if (!starts_with_ci(s, i, "bearer")) return 0;
      std::size_t p = i + 6;
      const std::size_t q = span_of(s, p, [](char c) { return c == ' ' || c == '\t'; });
      if (q == p) return 0;
      const std::size_t e = span_of(s, q, token68);
      if (e - q < 8) return 0;
      tok = q;
      return e;
    }
    case 's':
    case 'r': {
      if (s[i] == 's' && starts_with(s, i, "sk-")) {
        const std::size_t e = span_of(s, i + 3, key_char);
        return e - (i + 3) >= 16 ? e : 0;
      }
      for (std::string_view p : {"sk_live_", "sk_test_", "rk_live_", "rk_test_"}) {
        if (starts_with(s, i, p)) {
          const std::size_t e = span_of(s, i + p.size(), is_alnum);
          return e - (i + p.size()) >= 10 ? e : 0;
        }
      }
      return 0;
    }
    case 'A': {
      if (starts_with(s, i, "AKIA") || starts_with(s, i, "ASIA")) {
        const std::size_t e = span_of(s, i + 4, is_upper_or_digit);
        return e - (i + 4) == 16 && (e == s.size() || !is_word(s[e])) ? e : 0;
      }
      if (starts_with(s, i, "AIza")) {
        const std::size_t e = span_of(s, i + 4, key_char);
        return e - (i + 4) >= 30 ? e : 0;
      }
      return 0;
    }
    case 'g': {
      if (starts_with(s, i, "github_pat_")) {
        const std::size_t e = span_of(s, i + 11, [](char c) { return is_word(c); });
        return e - (i + 11) >= 20 ? e : 0;
      }
      if (starts_with(s, i, "gh") && i + 3 < s.size() && s[i + 3] == '_' &&
          std::strchr("pousr", s[i + 2]) != nullptr && s[i + 2] != '\0') {
        const std::size_t e = span_of(s, i + 4, is_alnum);
        return e - (i + 4) >= 20 ? e : 0;
      }
      return 0;
    }
    case 'x': {
      if (starts_with(s, i, "xox") && i + 4 < s.size() && s[i + 4] == '-' &&
          std::strchr("baprs", s[i + 3]) != nullptr && s[i + 3] != '\0') {
        const std::size_t e = span_of(s, i + 5, [](char c) { return is_alnum(c) || c == '-'; });
        return e - (i + 5) >= 10 ? e : 0;
      }
      return 0;
    }
    case 'e': {
      if (!starts_with(s, i, "eyJ")) return 0;
      const std::size_t a = span_of(s, i, b64url);
      if (a - i < 10 || a >= s.size() || s[a] != '.') return 0;
      const std::size_t b = span_of(s, a + 1, b64url);
      if (b - (a + 1) < 4 || b >= s.size() || s[b] != '.') return 0;
      const std::size_t c = span_of(s, b + 1, b64url);
      return c - (b + 1) >= 4 ? c : 0;
    }
    default:
      return 0;
  }
}

bool key_word(char c) {
  return (cls(c) & (kDigit | kAlpha | kUnderscore | kDash)) != 0;
}

// Every shape holds one of "-_ABJb" within its first 12 bytes: `-`/`_` (sk-, sk_live_,
// rk_, ghp_, github_pat_, xoxb-), `A` (AKIA, ASIA, AIza), `J` (eyJ), `B`/`b` (Bearer). The
// scan jumps from one such byte to the next and tries the word it is in, when that word
// starts at most 12 bytes before it.
void find_secrets(std::string_view s, std::vector<Range>& out) {
  const std::size_t n = s.size();
  std::size_t floor = 0;  // the end of the last match: no word starts before it
  std::size_t tried = std::string::npos;
  std::size_t i = 0;
  while (i < n) {
    const std::size_t p = skip_to<SecretSet>(s, i);
    if (p == n) break;
    std::size_t ws = p;
    while (ws > floor && p - ws < 12 && key_word(s[ws - 1]))
      --ws;
    const bool at_start = ws == floor || !key_word(s[ws - 1]);
    if (at_start && ws != tried) {
      tried = ws;
      std::size_t tok = ws;
      const std::size_t e = secret_at(s, ws, tok);
      if (e != 0) {
        out.emplace_back(tok, e);
        i = floor = e;
        continue;
      }
    }
    i = p + 1;
  }
}

}  // namespace

struct Redactor::Step {
  Kind kind;
  std::string replacement;

  bool apply(std::string& text) const {
    std::vector<Range>& found = scratch<Range>();
    switch (kind) {
      case Kind::email:
        find_emails(text, found);
        break;
      case Kind::phone:
        find_phones(text, found);
        break;
      case Kind::card:
        find_cards(text, found);
        break;
      case Kind::secret:
        find_secrets(text, found);
        break;
    }
    if (found.empty()) return false;
    std::string out;
    out.reserve(text.size());
    std::size_t at = 0;
    for (const Range& r : found) {
      out.append(text, at, r.first - at);
      out += replacement;
      at = r.second;
    }
    out.append(text, at, std::string::npos);
    text.swap(out);
    return true;
  }
};

Redactor::Redactor() = default;

Redactor::Redactor(std::shared_ptr<const Step> step) {
  if (step) steps_.push_back(std::move(step));
}

bool Redactor::apply(std::string& text) const {
  bool changed = false;
  for (const auto& step : steps_)
    changed = step->apply(text) || changed;
  return changed;
}

std::string Redactor::operator()(std::string_view text) const {
  std::string s(text);
  apply(s);
  return s;
}

void Redactor::operator()(std::string& text, const MaskField&) const {
  apply(text);
}

Redactor compose(std::vector<Redactor> steps) {
  Redactor r;
  for (Redactor& s : steps)
    r.steps_.insert(r.steps_.end(), s.steps_.begin(), s.steps_.end());
  return r;
}

Redactor emails(std::string replacement) {
  return Redactor(
      std::make_shared<const Redactor::Step>(Redactor::Step{Kind::email, std::move(replacement)}));
}
Redactor phone_numbers(std::string replacement) {
  return Redactor(
      std::make_shared<const Redactor::Step>(Redactor::Step{Kind::phone, std::move(replacement)}));
}
Redactor card_numbers(std::string replacement) {
  return Redactor(
      std::make_shared<const Redactor::Step>(Redactor::Step{Kind::card, std::move(replacement)}));
}
Redactor secrets(std::string replacement) {
  return Redactor(
      std::make_shared<const Redactor::Step>(Redactor::Step{Kind::secret, std::move(replacement)}));
}

Redactor all() {
  return compose({secrets(), emails(), card_numbers(), phone_numbers()});
}

bool luhn_valid(std::string_view digits) noexcept {
  if (digits.empty()) return false;
  LuhnSum luhn;
  for (std::size_t i = digits.size(); i-- > 0;) {
    if (!is_digit(digits[i])) return false;
    luhn.add(digits[i]);
  }
  return luhn.valid();
}

}  // namespace respan::redact
