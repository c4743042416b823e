// The mock server's web viewer (MockServerOptions::ui) in a real browser: Debian's chromium,
// headless, loads http://127.0.0.1:PORT/ui#trace=ID after the SDK's Tracer has sent a trace
// over loopback, and the test reads the rendered DOM back (--dump-dom): every span is a
// waterfall row nested under its parent, the error span is marked, a span sent while the page
// is open appears without a reload, the selected span's details survive the refresh, and span
// text is shown as text, never run as markup. A screenshot of the page is saved under the
// build directory (RESPAN_BROWSER_ARTIFACT_DIR) for CI to keep.
//
// Skips when no chromium is installed (RESPAN_CHROMIUM names another binary); CI installs it.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <respan/respan.hpp>
#include <respan/testing/mock_server.hpp>
#include <respan/tracing.hpp>

namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

// ---------------------------------------------------------------------------- the browser

std::string find_chromium() {
  if (const char* env = std::getenv("RESPAN_CHROMIUM"); env != nullptr && *env != '\0') {
    return ::access(env, X_OK) == 0 ? env : "";
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// One headless chromium run in its own process group, profile directory and output files
// (no pipe to fill up while the test does something else). The whole group is killed when it
// outlives its deadline, so a hung browser cannot hang the suite.
class Browser {
 public:
  Browser(const std::string& chromium, const std::vector<std::string>& extra_args,
          const std::string& url) {
    char tmpl[] = "/tmp/respan-browser-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp");
    dir_ = tmpl;
    std::vector<std::string> args = {
        chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
        "--user-data-dir=" + (dir_ / "profile").string(), "--no-first-run",
        "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-pings", "--no-proxy-server",
        // Nothing but loopback: any other host name fails to resolve.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    args.push_back(url);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string out = (dir_ / "stdout").string();
    const std::string err = (dir_ / "stderr").string();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {  // only async-signal-safe calls: the test process has threads
      ::setpgid(0, 0);
      const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int n = ::open("/dev/null", O_RDONLY);
      if (o < 0 || e < 0 || n < 0) ::_exit(126);
      ::dup2(n, 0);
      ::dup2(o, 1);
      ::dup2(e, 2);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::setpgid(pid_, pid_);  // also from here: no race with the kill below
  }
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;
  ~Browser() {
    if (!reaped_) {
      ::kill(-pid_, SIGKILL);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
    ::kill(-pid_, SIGKILL);  // helpers left behind, if any (ESRCH otherwise)
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // True while the browser runs.
  bool running() {
    if (reaped_) return false;
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      reaped_ = true;
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    return !reaped_;
  }
  // Waits for the browser to exit, killing its group after `timeout`; false on timeout.
  bool wait(milliseconds timeout) {
    const auto until = steady_clock::now() + timeout;
    while (running()) {
      if (steady_clock::now() > until) {
        ::kill(-pid_, SIGKILL);
        int st = 0;
        ::waitpid(pid_, &st, 0);
        reaped_ = true;
        status_ = -1;
        return false;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    return true;
  }
  int status() const { return status_; }
  std::string out() const { return read_file(dir_ / "stdout"); }
  // The last `n` bytes of stderr, for failure messages.
  std::string err_tail(std::size_t n = 2000) const {
    const std::string e = read_file(dir_ / "stderr");
    return e.size() > n ? e.substr(e.size() - n) : e;
  }

 private:
  fs::path dir_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = -1;
};

// ---------------------------------------------------------------------------- the DOM

// A start tag of the dumped DOM: its attributes and where it ends.
struct Tag {
  std::map<std::string, std::string> attrs;
  std::size_t end = 0;  ///< Just after its '>'.
  bool has_class(const std::string& c) const {
    const auto it = attrs.find("class");
    if (it == attrs.end()) return false;
    std::stringstream words(it->second);
    for (std::string w; words >> w;)
      if (w == c) return true;
    return false;
  }
};

// Reads the start tag at `at` ('<'): Chromium's serializer writes attributes as name="value"
// with '"' escaped, so a '>' inside a value does not end the tag.
Tag read_tag(const std::string& html, std::size_t at) {
  Tag t;
  std::size_t i = html.find_first_of(" >", at);
  while (i < html.size() && html[i] != '>') {
    if (html[i] == ' ') {
      ++i;
      continue;
    }
    const std::size_t name_end = html.find_first_of("= >", i);
    const std::string name = html.substr(i, name_end - i);
    if (name_end < html.size() && html[name_end] == '=' && html[name_end + 1] == '"') {
      const std::size_t value_end = html.find('"', name_end + 2);
      t.attrs[name] = html.substr(name_end + 2, value_end - name_end - 2);
      i = value_end + 1;
    } else {
      t.attrs[name] = "";
      i = name_end;
    }
  }
  t.end = i + 1;
  return t;
}

// Every start tag with attribute `attr`, in document order.
std::vector<Tag> tags_with(const std::string& html, const std::string& attr) {
  std::vector<Tag> out;
  const std::string needle = " " + attr + "=\"";
  for (std::size_t p = html.find(needle); p != std::string::npos; p = html.find(needle, p + 1)) {
    const std::size_t open = html.rfind('<', p);
    Tag t = read_tag(html, open);
    if (t.attrs.count(attr) != 0) out.push_back(std::move(t));
    p = t.end;
  }
  return out;
}

// The names of the elements of a serialized document, in order: a '<' in text always starts a
// tag (text escapes it), attribute values are skipped, and so is the raw text of <script> and
// <style>.
std::vector<std::string> element_names(const std::string& html) {
  std::vector<std::string> names;
  std::size_t i = 0;
  while ((i = html.find('<', i)) != std::string::npos) {
    if (html.compare(i, 2, "</") == 0 || html.compare(i, 2, "<!") == 0) {
      i = html.find('>', i);
      if (i == std::string::npos) break;
      continue;
    }
    const std::size_t name_end = html.find_first_of(" >", i);
    if (name_end == std::string::npos) break;
    std::string name = html.substr(i + 1, name_end - i - 1);
    names.push_back(name);
    const Tag tag = read_tag(html, i);
    i = tag.end;
    if (name == "script" || name == "style") {
      i = html.find("</" + name + ">", i);
      if (i == std::string::npos) break;
    }
  }
  return names;
}

std::size_t count_of(const std::string& s, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1))
    ++n;
  return n;
}

// The `left`/`width` percentages of a bar's style attribute ("left: 12.5%; width: 3%;").
double style_percent(const std::string& style, const std::string& prop) {
  const std::size_t p = style.find(prop + ": ");
  if (p == std::string::npos) return -1;
  return std::strtod(style.c_str() + p + prop.size() + 2, nullptr);
}

// ---------------------------------------------------------------------------- the fixture

class ViewerBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = find_chromium();
    if (chromium_.empty()) {
      GTEST_SKIP() << "chromium is not installed (apt-get install chromium; CI installs it), "
                      "or RESPAN_CHROMIUM does not name an executable: the browser test of "
                      "the mock server's viewer is skipped";
    }
    respan::testing::MockServerOptions o;
    o.ui = true;
    server_ = std::make_unique<respan::testing::MockServer>(o);
    server_->start();
    respan::ClientOptions c;
    c.api_key = server_->api_key();
    c.base_url = server_->base_url();
    respan::TracerOptions t;
    t.batch.flush_interval = milliseconds(50);
    tracer_ = std::make_unique<respan::Tracer>(respan::RespanClient(c), t);
  }
  void TearDown() override {
    if (tracer_) tracer_->shutdown(seconds(10));
  }

  // Sends the ended spans and checks the mock holds `spans` spans of `trace`.
  void flush(const std::string& trace, std::size_t spans) {
    tracer_->flush(seconds(20));
    const auto t = server_->trace(trace);
    ASSERT_TRUE(t.has_value()) << "the mock holds no span of trace " << trace;
    ASSERT_EQ((*t)["span_count"], spans) << t->dump();
  }

  std::string url(const std::string& fragment) const {
    return server_->base_url() + "/ui#" + fragment;
  }

  std::string chromium_;
  std::unique_ptr<respan::testing::MockServer> server_;
  std::unique_ptr<respan::Tracer> tracer_;
};

struct Expected {
  std::string parent;  ///< "" for the root
  int depth = 0;
  bool error = false;
};

TEST_F(ViewerBrowser, DrawsTheTraceAsAWaterfallAndRefreshesAsSpansArrive) {
  // An agent-like workflow through the SDK: nested spans, one of them an error.
  std::map<std::string, Expected> expected;  // span id -> its row
  std::string trace_id, root_id, llm_id, error_id;
  respan::SpanContext root_ctx;
  {
    respan::Span root = tracer_->start_trace("answer_question");
    root.set_input("Where is my order 42?");
    trace_id = root.trace_unique_id();
    root_ctx = root.context();
    root_id = root.span_unique_id();
    expected[root_id] = {"", 0, false};
    {
      respan::Span plan = tracer_->start_span("plan", root_ctx);
      plan.set_output("look up the order, then the shipping status");
      std::this_thread::sleep_for(milliseconds(30));
      expected[plan.span_unique_id()] = {root_id, 1, false};
    }
    {
      respan::Span tool = tracer_->start_span("orders_db", root_ctx);
      tool.set_log_type(respan::LogType::tool());
      expected[tool.span_unique_id()] = {root_id, 1, false};
      std::this_thread::sleep_for(milliseconds(10));
      respan::Span query = tracer_->start_span("db_query", tool.context());
      std::this_thread::sleep_for(milliseconds(40));
      expected[query.span_unique_id()] = {tool.span_unique_id(), 2, false};
    }
    {
      respan::Span shipping = tracer_->start_span("shipping_api", root_ctx);
      shipping.set_log_type(respan::LogType::tool());
      std::this_thread::sleep_for(milliseconds(60));
      shipping.set_error("shipping API timed out");
      error_id = shipping.span_unique_id();
      expected[error_id] = {root_id, 1, true};
    }
    {
      respan::Span llm = tracer_->start_span("llm_call", root_ctx);
      llm.set_model("gpt-4o").set_usage(24, 6).set_cost(0.00012);
      std::this_thread::sleep_for(milliseconds(80));
      llm.set_completion_message(respan::Message::assistant("Order 42 ships today."));
      llm_id = llm.span_unique_id();
      expected[llm_id] = {root_id, 1, false};
    }
    root.set_output("Order 42 ships today.");
  }
  flush(trace_id, 6);

  // The page, with the LLM span selected: dump its DOM and take a screenshot once the
  // virtual-time budget is spent. The page long-polls /ui/api/changes (up to `wait` ms of real
  // time, during which the browser's virtual clock stands still).
  const fs::path shot = fs::path(RESPAN_BROWSER_ARTIFACT_DIR) / "viewer.png";
  fs::create_directories(shot.parent_path());
  fs::remove(shot);
  const auto started = steady_clock::now();
  Browser browser(chromium_,
                  {"--dump-dom", "--screenshot=" + shot.string(), "--window-size=1280,900",
                   "--virtual-time-budget=800"},
                  url("trace=" + trace_id + "&span=" + llm_id + "&wait=20000"));

  // Once the page has drawn the trace and waits for changes, one more span arrives.
  bool polling = false;
  while (!polling && browser.running() && steady_clock::now() - started < seconds(60)) {
    for (const auto& r : server_->requests())
      polling = polling || r.path == "/ui/api/changes";
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_TRUE(polling) << "the page never polled /ui/api/changes (status " << browser.status()
                       << "): " << browser.err_tail();
  std::string late_id;
  {
    respan::Span late = tracer_->start_span("follow_up", root_ctx);
    late.set_output("sent while the page was open");
    late_id = late.span_unique_id();
    expected[late_id] = {root_id, 1, false};
  }
  flush(trace_id, 7);

  ASSERT_TRUE(browser.wait(seconds(90))) << "chromium did not finish: " << browser.err_tail();
  const double wall = std::chrono::duration<double>(steady_clock::now() - started).count();
  ASSERT_EQ(browser.status(), 0) << browser.err_tail();
  const std::string dom = browser.out();
  ASSERT_NE(dom.find("id=\"waterfall\""), std::string::npos) << dom.substr(0, 4000);
  std::cout << "chromium ran " << wall << " s; screenshot: " << shot.string() << "\n";

  // Every span is a row, nested under its parent. (The details panel carries the selected
  // span's id too: rows are the .span-row tags.)
  const std::vector<Tag> rows = tags_with(dom, "data-span-id");
  std::vector<std::string> want;
  for (const auto& [id, e] : expected)
    want.push_back(id);  // sorted: a std::map
  std::vector<std::string> row_ids;
  std::map<std::string, const Tag*> by_id;
  for (const Tag& r : rows) {
    if (!r.has_class("span-row")) continue;
    row_ids.push_back(r.attrs.at("data-span-id"));
    by_id[r.attrs.at("data-span-id")] = &r;
  }
  std::vector<std::string> sorted_rows = row_ids;
  std::sort(sorted_rows.begin(), sorted_rows.end());
  ASSERT_EQ(sorted_rows, want) << "the waterfall's rows are not the trace's spans";
  for (const auto& [id, e] : expected) {
    const Tag& row = *by_id.at(id);
    EXPECT_EQ(row.attrs.at("data-parent"), e.parent) << id;
    EXPECT_EQ(row.attrs.at("data-depth"), std::to_string(e.depth)) << id;
    EXPECT_EQ(row.has_class("error"), e.error) << id;
    EXPECT_EQ(row.attrs.at("data-status") == "error", e.error) << id;
  }
  // Depth-first order: the nearest row above a row, one level up, is its parent.
  for (std::size_t i = 0; i < row_ids.size(); ++i) {
    const Expected& e = expected.at(row_ids[i]);
    if (e.depth == 0) continue;
    std::size_t j = i;
    while (j > 0 && expected.at(row_ids[j - 1]).depth != e.depth - 1)
      --j;
    ASSERT_GT(j, 0u) << row_ids[i] << " has no row of its parent above it";
    EXPECT_EQ(row_ids[j - 1], e.parent) << row_ids[i] << " is drawn under the wrong parent";
  }
  // The error span carries the error badge and a red bar; no other row does.
  const std::size_t error_row = dom.find("data-span-id=\"" + error_id + "\"");
  const std::size_t next_row = dom.find("class=\"span-row", error_row);
  const std::string error_html = dom.substr(error_row, next_row - error_row);
  EXPECT_NE(error_html.find("<span class=\"badge-error\">error</span>"), std::string::npos)
      << error_html;
  EXPECT_NE(error_html.find("class=\"bar error\""), std::string::npos) << error_html;
  EXPECT_EQ(count_of(dom, "class=\"badge-error\""), 1u);
  // Bars sit on the time axis (0-100 %), one per row in the rows' order; each span that ended
  // within its parent (all but the late one, which started after the root ended) is drawn
  // within its parent's bar.
  std::vector<std::pair<double, double>> spans_on_axis;  // left, right (%), in row order
  for (const Tag& b : tags_with(dom, "style")) {
    if (!b.has_class("bar")) continue;
    const double left = style_percent(b.attrs.at("style"), "left");
    const double width = style_percent(b.attrs.at("style"), "width");
    EXPECT_GE(left, 0.0) << b.attrs.at("style");
    EXPECT_GE(width, 0.0) << b.attrs.at("style");
    EXPECT_LE(left + width, 100.0001) << b.attrs.at("style");
    spans_on_axis.emplace_back(left, left + width);
  }
  ASSERT_EQ(spans_on_axis.size(), row_ids.size());
  std::map<std::string, std::pair<double, double>> bar_of;
  for (std::size_t i = 0; i < row_ids.size(); ++i)
    bar_of[row_ids[i]] = spans_on_axis[i];
  for (const auto& [id, e] : expected) {
    if (e.parent.empty() || id == late_id) continue;
    EXPECT_GE(bar_of[id].first, bar_of[e.parent].first - 0.01) << id;
    EXPECT_LE(bar_of[id].second, bar_of[e.parent].second + 0.01) << id;
  }
  EXPECT_GT(bar_of[late_id].first, bar_of[root_id].second - 0.01);

  // The page drew the first six spans at its first load and the late one on a refresh,
  // without a reload (which would have drawn them all at once).
  for (const auto& [id, e] : expected) {
    EXPECT_EQ(by_id.at(id)->attrs.at("data-first-render"), id == late_id ? "2" : "1") << id;
  }
  EXPECT_EQ(read_tag(dom, dom.find("<body")).attrs["data-trace-loads"], "2");

  // The selected span's details (model, tokens, cost) are still shown after the refresh.
  const std::size_t details = dom.find("id=\"details\"");
  ASSERT_NE(details, std::string::npos) << "no details panel";
  const Tag panel = read_tag(dom, dom.rfind('<', details));
  EXPECT_EQ(panel.attrs.at("data-span-id"), llm_id);
  const std::string details_html = dom.substr(details, 4000);
  EXPECT_NE(details_html.find("data-field=\"model\">gpt-4o<"), std::string::npos) << details_html;
  EXPECT_NE(details_html.find("data-field=\"prompt_tokens\">24<"), std::string::npos);
  EXPECT_NE(details_html.find("data-field=\"completion_tokens\">6<"), std::string::npos);
  EXPECT_NE(details_html.find("data-field=\"cost\">$0.00012<"), std::string::npos);

  // The screenshot is a PNG.
  const std::string png = read_file(shot);
  ASSERT_GT(png.size(), 1000u) << shot;
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST_F(ViewerBrowser, SpanTextIsShownAsTextNeverRunAsMarkup) {
  const std::string name = "<img src=x onerror=\"document.title='pwned'\">";
  const std::string message = "<script>document.title='pwned too'</script>";
  std::string trace_id, bad_id;
  {
    respan::Span root = tracer_->start_trace("root");
    trace_id = root.trace_unique_id();
    respan::Span bad = tracer_->start_span(name, root.context());
    bad.set_error(message).set_model("<b>model</b>");
    bad_id = bad.span_unique_id();
  }
  flush(trace_id, 2);
  Browser browser(chromium_, {"--dump-dom", "--virtual-time-budget=1500"},
                  url("trace=" + trace_id + "&span=" + bad_id + "&wait=0"));
  ASSERT_TRUE(browser.wait(seconds(90))) << "chromium did not finish: " << browser.err_tail();
  ASSERT_EQ(browser.status(), 0) << browser.err_tail();
  const std::string dom = browser.out();
  ASSERT_NE(dom.find("data-span-id=\"" + bad_id + "\""), std::string::npos) << dom.substr(0, 3000);
  // Shown as text (the serializer escapes '<' and '>' in text), in the row and the details.
  const std::string shown = "&lt;img src=x onerror=\"document.title='pwned'\"&gt;";
  EXPECT_NE(dom.find("<span class=\"name\">" + shown + "</span>"), std::string::npos)
      << dom.substr(dom.find("id=\"waterfall\""), 3000);
  EXPECT_NE(dom.find("&lt;script&gt;document.title='pwned too'&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(dom.find("&lt;b&gt;model&lt;/b&gt;"), std::string::npos);
  // Never parsed as markup: no image, no second script, no bold, and nothing ran.
  const std::vector<std::string> elements = element_names(dom);
  ASSERT_GT(elements.size(), 50u);
  EXPECT_EQ(std::count(elements.begin(), elements.end(), "img"), 0);
  EXPECT_EQ(std::count(elements.begin(), elements.end(), "b"), 0);
  EXPECT_EQ(std::count(elements.begin(), elements.end(), "script"), 1);
  EXPECT_NE(dom.find("<title>Respan mock server</title>"), std::string::npos);
  EXPECT_EQ(dom.find("pwned</title>"), std::string::npos);
}

}  // namespace
