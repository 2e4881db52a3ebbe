// Page object for the event store page: the publish form and the event log.
import { expect } from '@playwright/test';

export class EventStorePage {
  constructor(page) {
    this.page = page;
    this.stream = page.getByTestId('publish-stream');
    this.type = page.getByTestId('publish-type');
    this.source = page.getByTestId('publish-source');
    this.expected = page.getByTestId('publish-expected');
    this.data = page.getByTestId('publish-data');
    this.submit = page.getByTestId('publish-submit');
    this.status = page.getByTestId('publish-status');
    this.dataError = page.getByTestId('publish-data-error');
    this.rows = page.getByTestId('event-row');
  }

  async open() {
    await this.page.goto('/store');
    await expect(this.page.getByTestId('publish-form')).toBeVisible();
    await expect(this.page.getByTestId('log-loading')).toHaveCount(0);
  }

  async publish({ stream, type, data, expected = '' }) {
    await this.stream.fill(stream);
    await this.type.fill(type);
    await this.expected.fill(expected);
    await this.data.fill(data);
    await this.submit.click();
  }

  async eventTypes() {
    return this.rows.getByTestId('event-type').allTextContents();
  }
}
