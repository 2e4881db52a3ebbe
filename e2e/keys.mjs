// Keyboard-only movement for journeys: press Tab (or Shift+Tab) until an element has the
// focus, as a keyboard user would, never placing the focus from the test.
export async function tabUntil(page, locator, { key = 'Tab', max = 80 } = {}) {
  for (let i = 0; i < max; i++) {
    if (await locator.evaluate((e) => e === document.activeElement)) return;
    await page.keyboard.press(key);
  }
  throw new Error(`${key} never reached ${locator}`);
}

// Presses Tab until the element with this test id has the focus.
export async function tabTo(page, testId) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((id) => document.activeElement?.getAttribute('data-testid') === id, testId)) return;
  }
  throw new Error(`Tab never reached ${testId}`);
}
