"""The tape browser (GET /__replay/ui/) in headless Chromium, driven by Selenium and chromedriver
(Debian's chromium, chromium-driver and python3-selenium, installed by tools/setup.sh --tests): the list
loads, a CommandId prefix search narrows it, a tape opens with one timeline mark per interaction,
its cursors (the default session's and each named session's) count the calls made and reset from
their buttons, recorded output holding <script> and <img onerror> shows as text with nothing run, and the page's
Content-Security-Policy is sent and blocks inline script. A screenshot of the tape page is kept in
<build>/test-artifacts/ (the path is printed)."""
import json
import os
import shutil
import sys
import tempfile
import unittest

from harness import BIN, ServeProcess, client_env, run_tool

# Debian's python3-selenium, reached from the pyenv python; appended, so it never shadows a pyenv package.
sys.path.append("/usr/lib/python3/dist-packages")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# As /work/.library/env/machines/cpp.md starts it: no sandbox as root, and no background networking
# (this machine's network is closed; only loopback is used).
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1280,1600"]
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
WAIT_S = 30

COMMAND = "4d6fe8a2-0b1c-4f3e-9a7d-5e2c8b1f0a11"
HOSTILE_COMMAND = "bad0bad0-0000-4000-8000-000000000666"
HOSTILE_STDOUT = '<script>window.pwned=1</script>\n<img src=x onerror="window.pwned=2">\n'
STATES = "InvocationDoesNotExist,Pending,InProgress*2,Success"  # 5 interactions
OTHER_COMMANDS = [f"0{n}aa0000-1111-4222-8333-444455556666" for n in range(4)]


def synth(store, command, states, *args):
    proc = run_tool("synth", "--store", store, "--command-id", command, "--instance-id", "i-0123456789abcdef0",
                    "--states", states, *args)
    if proc.returncode != 0:
        raise AssertionError(f"synth failed ({proc.returncode}): {proc.stderr}")


def artifact_dir():
    """<build>/test-artifacts: beside the binary under test."""
    path = os.path.join(os.path.dirname(os.path.abspath(BIN)), "test-artifacts")
    os.makedirs(path, exist_ok=True)
    return path


class TapeBrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for path in (CHROMIUM, CHROMEDRIVER):
            if not os.access(path, os.X_OK):
                raise AssertionError(f"{path} is missing: run tools/setup.sh --tests (Debian chromium, chromium-driver)")
        cls.dir = tempfile.mkdtemp(prefix="ssm-e2e-ui-")
        store = os.path.join(cls.dir, "store")
        synth(store, COMMAND, STATES, "--stdout", "starting\nstep 1 done\nstep 2 done\n")
        synth(store, HOSTILE_COMMAND, "InProgress,Failed", "--stdout", HOSTILE_STDOUT, "--response-code", "1")
        for command in OTHER_COMMANDS:
            synth(store, command, "Pending,Success")
        cls.server = ServeProcess(store, "replay", env=client_env())
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROMIUM_FLAGS + ["--user-data-dir=" + os.path.join(cls.dir, "chromium-profile")]:
            options.add_argument(flag)
        try:
            cls.browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        except BaseException:
            cls.server.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.browser.quit()
        cls.server.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    # -- helpers ------------------------------------------------------------------------------------

    def open(self, fragment):
        self.browser.get("about:blank")  # a fresh page load, even when only the fragment would change
        self.browser.get(f"{self.server.url}/__replay/ui/{fragment}")
        self.wait_ready(fragment or "#/")

    def wait_ready(self, fragment):
        """Waits until the page has drawn `fragment` (app.js sets body[data-ready] after each view)."""
        WebDriverWait(self.browser, WAIT_S).until(
            lambda b: b.find_element(By.TAG_NAME, "body").get_attribute("data-ready") in (fragment, "error"),
            f"the page to draw {fragment}")
        self.assertEqual("", self.browser.find_element(By.ID, "error").text)

    def rows(self):
        return self.browser.find_elements(By.CSS_SELECTOR, "#tapes tbody tr")

    def tape_id(self, command):
        status, _, body = self.server.http("GET", "/__replay/api/tapes?prefix=" + command)
        self.assertEqual(200, status, body)
        tapes = json.loads(body)["tapes"]
        self.assertEqual(1, len(tapes), tapes)
        return tapes[0]["id"]

    def js(self, script):
        return self.browser.execute_script(script)

    # -- tests --------------------------------------------------------------------------------------

    def test_list_search_and_tape_timeline(self):
        self.open("")
        self.assertEqual(2 + len(OTHER_COMMANDS), len(self.rows()))
        search = self.browser.find_element(By.ID, "prefix")
        search.clear()
        search.send_keys(COMMAND[:6])
        self.browser.find_element(By.ID, "search-button").click()
        self.wait_ready(f"#/?prefix={COMMAND[:6]}")
        rows = self.rows()
        self.assertEqual(1, len(rows))
        cells = [c.text for c in rows[0].find_elements(By.TAG_NAME, "td")]
        self.assertEqual([COMMAND, "i-0123456789abcdef0", "5", "Success"], [cells[0], cells[1], cells[4], cells[5]])

        rows[0].find_element(By.CSS_SELECTOR, "a.tape-link").click()
        self.wait_ready("#/tape/" + self.tape_id(COMMAND))
        marks = self.browser.find_elements(By.CSS_SELECTOR, "#timeline svg circle.mark")
        self.assertEqual(5, len(marks))
        self.assertEqual(5, len(self.browser.find_elements(By.CSS_SELECTOR, "#interactions > li")))
        self.assertEqual(["st-missing", "st-running", "st-running", "st-running", "st-success"],
                         [m.get_attribute("class").split()[1] for m in marks])
        diff = self.browser.find_element(By.CSS_SELECTOR, "#entry-4 pre.diff-stdout").text
        self.assertIn("+ step 2 done", diff)
        shot = os.path.join(artifact_dir(), "test_ui_browser.tape.png")
        self.assertTrue(self.browser.save_screenshot(shot), shot)
        print(f"\nscreenshot of the tape page: {shot}", file=sys.stderr)

    def test_reset_button_rewinds_the_cursor(self):
        body = json.dumps({"CommandId": COMMAND, "InstanceId": "i-0123456789abcdef0"})
        # InvocationDoesNotExist (HTTP 400), then Pending, InProgress: three calls made.
        self.assertEqual([400, 200, 200], [self.server.call("GetCommandInvocation", body)[0] for _ in range(3)])
        tape = self.tape_id(COMMAND)
        self.open("#/tape/" + tape)
        cursor = self.browser.find_element(By.CSS_SELECTOR, "#cursors li.cursor")
        self.assertIn("3 call(s)", cursor.text)
        self.assertEqual("3", self.browser.find_element(By.CSS_SELECTOR, "circle.mark.next").get_attribute("data-index"))
        cursor.find_element(By.CSS_SELECTOR, "button.reset").click()
        WebDriverWait(self.browser, WAIT_S).until(
            lambda b: "0 call(s)" in self.js("return document.querySelector('#cursors li.cursor').textContent"),
            "the cursor list redrawn after the reset")
        status, _, answer = self.server.call("GetCommandInvocation", body)
        self.assertEqual(400, status, answer)  # the first entry again: InvocationDoesNotExist

    def test_named_session_cursor_shows_and_resets_alone(self):
        body = json.dumps({"CommandId": OTHER_COMMANDS[0], "InstanceId": "i-0123456789abcdef0"})
        session = {"X-Ssm-Replay-Session": "e2e-ui-1"}
        # Pending, then Success: two calls in the session, none in the default one.
        self.assertEqual([200, 200], [self.server.call("GetCommandInvocation", body, session)[0] for _ in range(2)])
        self.open("#/tape/" + self.tape_id(OTHER_COMMANDS[0]))
        cursors = {li.get_attribute("data-session"): li for li in
                   self.browser.find_elements(By.CSS_SELECTOR, "#cursors li.cursor")}
        self.assertEqual({"default", "e2e-ui-1"}, set(cursors))
        self.assertIn("0 call(s)", cursors["default"].text)
        self.assertIn("2 call(s)", cursors["e2e-ui-1"].text)
        cursors["e2e-ui-1"].find_element(By.CSS_SELECTOR, "button.reset").click()
        # A session with no call on the tape is not listed: its row goes once the reset is drawn.
        WebDriverWait(self.browser, WAIT_S).until(
            lambda b: self.js("return document.querySelectorAll('#cursors li.cursor').length") == 1,
            "the session's cursor gone from the list after its reset")
        status, _, answer = self.server.call("GetCommandInvocation", body, session)
        self.assertEqual("Pending", json.loads(answer)["Status"])  # the session starts the tape again

    def test_hostile_output_renders_as_text_and_runs_nothing(self):
        self.open("#/tape/" + self.tape_id(HOSTILE_COMMAND))
        self.assertIsNone(self.js("return window.pwned === undefined ? null : window.pwned"))
        self.assertEqual(0, self.js("return document.querySelectorAll('main script, main img').length"))
        # InProgress with no output yet, then Failed with it: the diff of entry 1 shows it.
        shown = self.browser.find_element(By.CSS_SELECTOR, "#entry-1 pre.diff-stdout").text
        self.assertIn("<script>window.pwned=1</script>", shown)
        self.assertIn('<img src=x onerror="window.pwned=2">', shown)
        # The raw response body (in a collapsed <details>) holds the same text as JSON, as text too.
        self.assertIn("<script>", self.js("return document.querySelector('#entry-1 pre.response-body').textContent"))

    def test_csp_header_is_sent_and_blocks_inline_script(self):
        for path in ("/__replay/ui/", "/__replay/ui/app.js", "/__replay/ui/app.css", "/__replay/api/tapes"):
            status, headers, _ = self.server.http("GET", path)
            self.assertEqual(200, status, path)
            self.assertEqual(CSP, headers.get("content-security-policy"), path)
            self.assertEqual("nosniff", headers.get("x-content-type-options"), path)
        self.open("")
        self.js("""
            window.violations = [];
            document.addEventListener('securitypolicyviolation', e => window.violations.push(e.violatedDirective));
            const s = document.createElement('script');
            s.textContent = 'window.inlineRan = true';
            document.body.append(s);""")
        WebDriverWait(self.browser, WAIT_S).until(lambda b: self.js("return window.violations.length") > 0,
                                                  "a CSP violation report for the inline script")
        self.assertTrue(self.js("return window.violations[0].startsWith('script-src')"))
        self.assertIsNone(self.js("return window.inlineRan === undefined ? null : true"))


if __name__ == "__main__":
    unittest.main()
