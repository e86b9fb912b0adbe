"""The console in a real browser: Debian's chromium, headless, driven by Selenium.

Run by BrowserTests.swift against a console that a `nightshift schedule` started by the test
serves on 127.0.0.1. Nothing is downloaded: the browser and the driver are Debian's, named by
path, and SE_OFFLINE=true keeps Selenium Manager from looking for others.

    python3 console_browser.py BASE_URL SCREENSHOT_DIR

Each step prints `STEP name` when it passed; the last line is `DONE`. A failed check raises,
so the output ends with Python's traceback naming it. Screenshots of each page go to
SCREENSHOT_DIR (docs/console.md shows copies).
"""

import os
import sys
import time

os.environ["SE_OFFLINE"] = "true"

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

BASE, SHOTS = sys.argv[1].rstrip("/"), sys.argv[2]
PASSWORDS = {"otto": "password-of-otto", "abby": "password-of-abby", "vera": "password-of-vera"}


def step(name):
    print("STEP " + name, flush=True)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def wait_for(what, condition, seconds=60.0):
    """Waits for `condition()` to be true, re-checking every 0.2 s; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.2)


def shot(driver, name):
    # The whole page, not only the window: the page's own height, within reason.
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(720, min(int(height) + 40, 2400)))
    driver.save_screenshot(os.path.join(SHOTS, name + ".png"))
    driver.set_window_size(1280, 900)


def no_alert(driver):
    try:
        driver.switch_to.alert
    except NoAlertPresentException:
        return True
    return False


def act(driver, selector):
    """Clicks a button whose form comes back to a page with a one-time message; returns the message."""
    driver.find_element(By.CSS_SELECTOR, selector).click()
    flash = wait_for("the page after " + selector, lambda: driver.find_elements(By.ID, "flash"))
    return flash[0].text


def login(driver, name):
    driver.get(BASE + "/jobs")
    wait_for("the login page", lambda: "/login" in driver.current_url)
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORDS[name])
    driver.find_element(By.ID, "login").click()
    wait_for("the jobs page after login", lambda: driver.current_url.endswith("/jobs"))
    check(driver.find_element(By.ID, "who").text.startswith(name + " ("), "the page names the user")


def logout(driver):
    driver.find_element(By.ID, "logout").click()
    wait_for("the login page after logout", lambda: driver.current_url.endswith("/login"))
    driver.get(BASE + "/jobs")
    check("/login" in driver.current_url, "after logout the jobs page asks for a login again")


def main():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--no-first-run", "--disable-extensions",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-default-apps", "--hide-scrollbars", "--force-device-scale-factor=1"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    try:
        run(driver)
    except BaseException:
        # What the browser saw when a check failed, for whoever reads the test's output.
        print("FAILED at " + driver.current_url, flush=True)
        print(driver.find_element(By.TAG_NAME, "body").text[:3000], flush=True)
        driver.save_screenshot(os.path.join(SHOTS, "failure.png"))
        raise
    finally:
        driver.quit()
    print("DONE", flush=True)


def run(driver):
    # Log in: the login page first, then the jobs.
    driver.get(BASE + "/jobs")
    wait_for("the redirect to the login page", lambda: "/login?next=%2Fjobs" in driver.current_url)
    shot(driver, "login")
    login(driver, "otto")
    step("log in")

    # A job's next run, with a countdown the page's script keeps moving.
    row = driver.find_element(By.ID, "job-topup")
    check("03:00:00" in row.find_element(By.CSS_SELECTOR, ".next").text, "topup's next run is at 03:00")
    countdown = row.find_element(By.CSS_SELECTOR, ".countdown")
    first = countdown.text
    check(first.startswith("in "), "the countdown reads 'in …': " + first)
    wait_for("the countdown to move", lambda: countdown.text != first, seconds=5)
    shot(driver, "jobs")
    step("see a job's next run")

    # Run now: the daemon starts it at its next tick; the run then shows with its log.
    check("Triggered topup" in act(driver, "#job-topup button.run-now"), "Run now says the job was triggered")

    def finished_run():
        driver.get(BASE + "/runs?job=topup")
        links = driver.find_elements(By.CSS_SELECTOR, "#runs a.run-link")
        statuses = driver.find_elements(By.CSS_SELECTOR, "#runs .status")
        if links and statuses and statuses[0].text.strip(" ✔✖⚠●") == "succeeded":
            return links[0]
        return None

    link = wait_for("the triggered run to finish", finished_run, seconds=90)
    shot(driver, "runs")
    link.click()
    wait_for("the run's page", lambda: "/runs/" in driver.current_url)
    check(driver.find_element(By.ID, "run-status").text.endswith("succeeded"), "the run succeeded")
    log = driver.find_element(By.ID, "log").text
    check("resellers below 500 credits topped up by 250" in log, "the run's log is shown: " + log[:300])
    receipt = driver.find_element(By.ID, "receipt").text
    check("topup, triggered" in receipt, "the receipt names the job and why it ran: " + receipt[:300])
    check(len(driver.find_elements(By.CSS_SELECTOR, "#writes tbody tr")) >= 1, "the run's writes are listed")
    check(no_alert(driver), "no script ran from the records")
    shot(driver, "run")
    run_id = driver.current_url.rsplit("/", 1)[1]

    # The job's history from the scheduler's store: the triggered slot, linked to the same run.
    driver.get(BASE + "/jobs")
    driver.find_element(By.CSS_SELECTOR, "#job-topup td a").click()
    wait_for("the job's history", lambda: "/jobs/history?job=topup" in driver.current_url)
    rows = driver.find_elements(By.CSS_SELECTOR, "#history tbody tr")
    check(any("triggered" in row.text and "succeeded" in row.text and run_id in row.text for row in rows),
          "the history shows the triggered slot with its run: " + " | ".join(row.text for row in rows)[:300])
    shot(driver, "history")
    step("run now, then the run appears with its log")

    # The panel (resellers and the chart) and the audit search, for the record.
    driver.get(BASE + "/panel")
    check(driver.find_element(By.CSS_SELECTOR, "#chart svg") is not None, "the panel has its chart")
    check(len(driver.find_elements(By.CSS_SELECTOR, "#resellers tbody tr a")) >= 1, "the panel lists resellers")
    shot(driver, "panel")
    driver.find_element(By.CSS_SELECTOR, "#resellers tbody tr a").click()
    wait_for("the audit page", lambda: "/audit?reseller=" in driver.current_url)
    check(len(driver.find_elements(By.CSS_SELECTOR, "#writes tbody tr td a.mono")) >= 1, "the audit search finds the writes")
    shot(driver, "audit")
    driver.get(BASE + "/audit/console")
    shot(driver, "console-actions")
    step("panel and audit")

    # Pause.
    driver.get(BASE + "/jobs")
    check("Paused topup" in act(driver, "#job-topup button.pause"), "Pause says the job was paused")
    row = driver.find_element(By.ID, "job-topup")
    check("paused" in row.find_element(By.CSS_SELECTOR, ".paused").text, "the job shows as paused")
    check(len(row.find_elements(By.CSS_SELECTOR, "button.resume")) == 1, "a paused job offers Resume")
    step("pause")

    # Run now on a job whose plans wait for approval: its run makes a plan and waits.
    check("Triggered approved-topup" in act(driver, "#job-approved-topup button.run-now"),
          "Run now says the job was triggered")

    def waiting_plan():
        driver.get(BASE + "/plans?state=waiting")
        links = driver.find_elements(By.CSS_SELECTOR, "#plans a.plan-link")
        return links[0].get_attribute("href") if links else None

    plan_url = wait_for("the job's plan to wait for approval", waiting_plan, seconds=120)
    driver.get(plan_url)
    check(driver.find_element(By.ID, "plan-state").text.endswith("waiting"), "the plan waits")
    check(driver.find_elements(By.CSS_SELECTOR, "button.approve, button.reject") == [],
          "an operator has no Approve or Reject")
    logout(driver)
    step("log out")

    # An approver reviews the plan and approves it; the waiting run then applies it.
    login(driver, "abby")
    driver.get(plan_url)
    review = driver.find_element(By.ID, "review").text
    check("resellers.add_credits" in review and "needs:" in review and "totals: 1 writes, 100 credits moved" in review,
          "the plan shows its writes, what they need and the totals: " + review[:600])
    check(driver.find_element(By.ID, "plan-approvals").text.startswith("none of 1 needed"), "no approval yet")
    shot(driver, "plan")
    check("Approved plan" in act(driver, "button.approve"), "Approve says the plan was approved")

    def applied():
        driver.get(plan_url)
        return driver.find_element(By.ID, "plan-state").text.endswith("applied")

    wait_for("the approved plan to be applied", applied, seconds=120)
    check(driver.find_element(By.ID, "plan-approvals").text == "1 of 1 needed: abby", "abby's approval counts")
    driver.find_element(By.LINK_TEXT, "its run").click()
    wait_for("the apply's run", lambda: "/runs/" in driver.current_url)
    check(len(driver.find_elements(By.CSS_SELECTOR, "#writes tbody tr a.plan-link")) == 1, "the apply's write names its plan")
    driver.get(BASE + "/plans")
    shot(driver, "plans")
    step("approve a plan, which then applies")
    logout(driver)

    # A viewer sees no action button, and a forged POST of theirs is refused.
    login(driver, "vera")
    check(driver.find_elements(By.CSS_SELECTOR, "button.run-now, button.pause, button.resume") == [],
          "a viewer sees no action button")
    driver.execute_script("""
        const form = document.createElement("form");
        form.method = "post";
        form.action = "/jobs/trigger";
        for (const [name, value] of [["csrf", document.querySelector("input[name=csrf]").value], ["job", "topup"]]) {
            const input = document.createElement("input");
            input.type = "hidden"; input.name = name; input.value = value;
            form.appendChild(input);
        }
        document.body.appendChild(form);
        form.submit();
    """)
    wait_for("the refusal", lambda: driver.find_elements(By.ID, "error"))
    check("Your role (viewer) may not run, pause or resume jobs" in driver.find_element(By.ID, "error").text,
          "the viewer's forged POST is refused")
    check("403" in driver.find_element(By.TAG_NAME, "h1").text, "with 403")
    shot(driver, "refused")
    step("a viewer sees no action buttons, and a forged POST by a viewer is refused")
    driver.get(BASE + "/jobs")
    logout(driver)


if __name__ == "__main__":
    main()
