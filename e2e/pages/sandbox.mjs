// Page object for the pattern sandbox.
import { expect } from '@playwright/test';

export class SandboxPage {
  constructor(page) {
    this.page = page;
    this.pattern = page.getByTestId('sandbox-pattern');
    this.event = page.getByTestId('sandbox-event');
    this.verdict = page.getByTestId('sandbox-verdict');
    this.explanation = page.getByTestId('sandbox-explanation');
    this.patternError = page.getByTestId('sandbox-pattern-error');
  }

  async open() {
    await this.page.goto('/sandbox');
    await expect(this.verdict).toBeVisible();
    // The page takes input once the saved drafts are read.
    await expect(this.page.locator('.sandbox-page')).not.toHaveAttribute('inert');
  }

  async sample(name) {
    await this.page.getByRole('button', { name }).click();
  }
}
