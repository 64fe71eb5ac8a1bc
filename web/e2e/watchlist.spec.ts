import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { GatewayProcess } from './gateway';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, '..', 'test-results');

// One gateway for the file, the tests in order: the first signs up the user the others sign in as.
test.describe.configure({ mode: 'serial' });

let gateway: GatewayProcess;
const username = `e2e_${Date.now().toString(36)}`;
const password = 'correct-horse';

test.beforeAll(async () => {
  gateway = await GatewayProcess.start();
});

test.afterAll(async () => {
  if (!gateway) return;
  await gateway.stop();
  gateway.removeData();
});

/** The numbers a row shows, read from the data attributes the cells carry beside their formatted text. */
async function readRow(row: Locator) {
  return row.evaluate((tr) => {
    const value = (id: string) => {
      const raw = tr.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-value') ?? '';
      return raw === '' ? null : Number(raw);
    };
    return {
      price: value('price'),
      quantity: value('quantity'),
      purchasePrice: value('purchase-price'),
      pl: value('pl'),
      priceText: tr.querySelector('[data-testid="price"]')?.textContent?.trim() ?? '',
      plText: tr.querySelector('[data-testid="pl"]')?.textContent?.trim() ?? '',
    };
  });
}

async function addStock(page: Page, query: string, ticker: string, quantity: string, purchasePrice: string) {
  await page.getByLabel('Company or ticker').fill(query);
  await page.getByRole('button', { name: new RegExp(`^${ticker} `) }).click();
  await page.getByLabel('Quantity', { exact: true }).fill(quantity);
  await page.getByLabel(/^Purchase price/).fill(purchasePrice);
  await page.getByRole('button', { name: 'Add to watchlist' }).click();
  await expect(page.locator(`tr[data-ticker="${ticker}"]`)).toBeVisible();
}

test('a new user signs up, watches 7203 and AAPL live, edits a position and rides out a gateway restart', async ({ page }) => {
  await page.goto(gateway.baseUrl + '/');
  await expect(page).toHaveURL(/\/signin$/);
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page.getByRole('heading', { name: 'Create an account' })).toBeVisible();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByText(`Signed in as ${username}`)).toBeVisible();

  await page.getByLabel('New watchlist').fill('Core');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page).toHaveURL(/\/watchlists\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Core' })).toBeVisible();

  await addStock(page, 'トヨタ', '7203', '100', '2500');
  await addStock(page, 'apple', 'AAPL', '10', '250');

  const badge = page.getByTestId('connection-status');
  await expect(badge).toHaveText('Live');
  const table = page.getByRole('table', { name: /Positions in Core/ });
  await expect(table.getByRole('columnheader', { name: 'Unrealized P&L' })).toBeVisible();
  const toyota = table.locator('tr[data-ticker="7203"]');
  const apple = table.locator('tr[data-ticker="AAPL"]');
  await expect(toyota.getByRole('rowheader')).toContainText('トヨタ自動車株式会社');
  await expect(toyota.getByRole('rowheader')).toContainText('7203 · TSE');
  await expect(apple.getByRole('rowheader')).toContainText('AAPL · NASDAQ');

  // Yen without decimals (ja-JP), dollars with cents (en-US).
  await expect(toyota.getByTestId('price')).toHaveText(/^￥[\d,]+$/);
  await expect(apple.getByTestId('price')).toHaveText(/^\$[\d,]+\.\d{2}$/);
  await expect(toyota.getByTestId('purchase-price')).toHaveText('￥2,500');
  await expect(apple.getByTestId('purchase-price')).toHaveText('$250.00');

  // Prices move on screen, and each cell's P&L is (price − purchase price) × quantity.
  const firstToyota = await readRow(toyota);
  const firstApple = await readRow(apple);
  await expect.poll(async () => (await readRow(toyota)).priceText, { timeout: 45_000 }).not.toBe(firstToyota.priceText);
  await expect.poll(async () => (await readRow(apple)).priceText, { timeout: 45_000 }).not.toBe(firstApple.priceText);
  await expect(table.locator('tr[data-ticker] td.price .flash').first()).toBeAttached();
  for (const row of [await readRow(toyota), await readRow(apple)]) {
    expect(row.pl).toBeCloseTo((row.price! - row.purchasePrice!) * row.quantity!, 4);
  }
  await expect(toyota.locator('svg.sparkline')).toBeVisible();

  // Edit the quantity inline; the P&L follows the new quantity.
  const before = await readRow(toyota);
  expect(before.quantity).toBe(100);
  await toyota.getByRole('button', { name: /^Edit .*7203/ }).click();
  const quantityInput = toyota.getByLabel(/^Quantity of .*7203/);
  await expect(quantityInput).toBeFocused();
  await quantityInput.fill('300');
  await quantityInput.press('Enter');
  await expect(toyota.getByTestId('quantity')).toHaveText('300');
  await expect(toyota.getByRole('button', { name: /^Edit .*7203/ })).toBeFocused();
  await expect
    .poll(async () => {
      const row = await readRow(toyota);
      return row.price !== null && row.pl !== null && Math.abs(row.pl - (row.price - 2500) * 300) < 0.01;
    })
    .toBe(true);
  const after = await readRow(toyota);
  expect(after.pl).not.toBe(before.pl);
  // One stock in yen: its total is that stock's P&L.
  await expect
    .poll(async () => {
      const [row, total] = await Promise.all([readRow(toyota), page.getByTestId('totals-JPY').getByTestId('total-pl').getAttribute('data-value')]);
      return Math.abs(Number(total) - row.pl!) < 0.01;
    })
    .toBe(true);

  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  mkdirSync(resultsDir, { recursive: true });
  const screenshot = join(resultsDir, 'watchlist.png');
  await page.screenshot({ path: screenshot });
  if (process.env.AQ_UPDATE_SCREENSHOT === '1') copyFileSync(screenshot, join(here, '..', '..', 'docs', 'images', 'watchlist.png'));

  // Stop the gateway: the page says it is reconnecting, then live again once the gateway is back on the
  // same port with the same data.
  const port = gateway.port;
  const dataDir = gateway.dataDir;
  await gateway.stop();
  await expect(badge).toHaveText('Reconnecting', { timeout: 30_000 });
  await expect(page.getByText(/Next try in \d+ s\.|Trying now/)).toBeVisible();

  gateway = await GatewayProcess.start({ port, dataDir });
  await expect(badge).toHaveText('Live', { timeout: 90_000 });
  const lastUpdate = await page.getByTestId('last-update').getAttribute('datetime');
  await expect(page.getByTestId('last-update')).not.toHaveAttribute('datetime', lastUpdate ?? '', { timeout: 30_000 });
  await expect(toyota.getByTestId('quantity')).toHaveText('300');
  await expect(apple.getByTestId('quantity')).toHaveText('10');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByText('You are signed out.')).toBeVisible();
});

test('API errors read as clear messages', async ({ page }) => {
  await page.goto(gateway.baseUrl + '/signin');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');

  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Username').fill(username.toUpperCase());
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('alert')).toHaveText('That username is already taken. Choose another one, or sign in.');

  // An unknown API route keeps its 404 problem details: the page fallback does not answer for /api.
  const missing = await page.request.get(gateway.baseUrl + '/api/v1/nothing-here');
  expect(missing.status()).toBe(404);
  expect((await missing.json()).code).toBe('not_found');
  const deepLink = await page.request.get(gateway.baseUrl + '/watchlists/12345');
  expect(deepLink.status()).toBe(200);
  expect(deepLink.headers()['content-type']).toContain('text/html');
});

test('on a phone-sized screen the page fits and the table scrolls sideways', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(gateway.baseUrl + '/signin');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Core' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('Live');
  await expect(page.locator('tr[data-ticker="7203"] [data-testid="price"]')).toHaveText(/^￥[\d,]+$/);

  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    region: document.querySelector('.table-scroll')!.clientWidth,
    table: document.querySelector('table.positions')!.scrollWidth,
  }));
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
  expect(widths.region).toBeLessThanOrEqual(widths.viewport);
  // The scroll region takes keyboard focus so the hidden columns can be reached without a mouse.
  await expect(page.getByRole('region', { name: /Positions in Core/ })).toHaveAttribute('tabindex', '0');
  expect(widths.table).toBeGreaterThanOrEqual(widths.region);
});

test('rename, remove a stock, delete a watchlist, and a watchlist deleted elsewhere stops its stream', async ({ page }) => {
  await page.goto(gateway.baseUrl + '/signin');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Core' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('Live');

  await page.getByRole('button', { name: 'Rename Core' }).click();
  const newName = page.getByLabel('New name for Core');
  await expect(newName).toBeFocused();
  await newName.fill('Japan');
  await newName.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Japan' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Japan' })).toBeVisible();

  await page.getByRole('button', { name: 'Remove Apple Inc. (AAPL)' }).click();
  await page.getByRole('button', { name: 'Remove AAPL' }).click();
  await expect(page.locator('tr[data-ticker="AAPL"]')).toHaveCount(0);
  // A later frame still has no AAPL, and the totals are in yen alone.
  const lastUpdate = await page.getByTestId('last-update').getAttribute('datetime');
  await expect(page.getByTestId('last-update')).not.toHaveAttribute('datetime', lastUpdate ?? '');
  await expect(page.locator('tr[data-ticker="AAPL"]')).toHaveCount(0);
  await expect(page.getByTestId('totals-USD')).toHaveCount(0);

  // Deleted in another window (here: straight through the API) while this page streams it: 4404.
  await page.getByLabel('New watchlist').fill('Temp');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Temp' })).toBeVisible();
  await expect(page.getByTestId('connection-status')).toHaveText('Live');
  const id = /\/watchlists\/(\d+)$/.exec(page.url())![1];
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('actorquotes.session')!).token as string);
  const deleted = await page.request.delete(`${gateway.baseUrl}/api/v1/watchlists/${id}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(deleted.status()).toBe(204);
  await expect(page.getByRole('heading', { level: 1, name: 'Watchlist not found' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Temp' })).toHaveCount(0);

  // Deleting from the panel asks once more.
  await page.getByLabel('New watchlist').fill('Scratch');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Scratch' })).toBeVisible();
  await page.getByRole('button', { name: 'Delete Scratch' }).click();
  await page.getByRole('button', { name: 'Delete “Scratch”' }).click();
  await expect(page.getByRole('link', { name: 'Scratch' })).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`${gateway.baseUrl}/$`));
});
