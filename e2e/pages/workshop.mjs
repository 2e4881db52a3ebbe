// Page object for the workshop: scenario runner, time-travel debugger and panels.
import { expect } from '@playwright/test';

export class WorkshopPage {
  constructor(page) {
    this.page = page;
    this.preset = page.getByTestId('scenario-preset');
    this.style = page.getByTestId('scenario-style');
    this.run = page.getByTestId('scenario-run');
    this.position = page.getByTestId('debugger-position');
    this.entryType = page.getByTestId('debugger-type');
    this.debugger = page.getByTestId('debugger');
  }

  async open() {
    await this.page.goto('/workshop');
    await expect(this.run).toBeVisible();
  }

  async runScenario(preset, style) {
    await this.preset.selectOption(preset);
    await this.style.selectOption(style);
    await this.run.click();
    await expect(this.page.getByTestId('run-summary')).toBeVisible();
  }
}
