// End to end in Debian's headless Chromium, driven by playwright-core:
// a protected URL, the choice page (filter, remember), the test IdP, the
// app; later the remembered IdP, and the "choose another" way out.
//
//   node choice.mjs BASE SCREENSHOT_DIR
//
// Prints one line per step; exits non-zero on the first failure.

import { chromium } from 'playwright-core';

const [base, shots] = process.argv.slice(2);
const step = (s) => console.log('ok   ' + s);

function expect(cond, what) {
    if (!cond) {
        throw new Error('failed: ' + what);
    }
}

const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu',
           '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run', '--disable-quic'],
});

try {
    const desktop = await browser.newContext({
        ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 },
        locale: 'da-DK',
    });
    const page = await desktop.newPage();

    await page.goto(base + '/app/start');
    expect(new URL(page.url()).pathname === '/saml/choose',
           'a protected URL shows the choice page, got ' + page.url());
    expect(await page.title() === 'Vælg login-metode', 'Danish title');
    step('protected URL -> choice page (Danish)');
    if (shots) {
        await page.screenshot({ path: shots + '/choice-desktop.png',
                                fullPage: true });
    }

    // keyboard: the search box is reachable and filters as you type
    await page.focus('#q');
    await page.keyboard.type('kors');
    const visible = await page.$$eval('#idps li',
        (lis) => lis.filter((li) => !li.hidden).map((li) => li.textContent));
    expect(visible.length === 1 && visible[0].includes('Korsbæk'),
           'filter shows only Korsbæk: ' + JSON.stringify(visible));
    step('filter as you type');

    await page.getByLabel('Korsbæk Kommune').check();
    await page.getByLabel('Husk mit valg på denne enhed').check();
    await Promise.all([page.waitForNavigation(),
                       page.getByRole('button', { name: 'Log ind' }).click()]);
    expect(page.url().includes('/idp/korsbaek/sso'), 'at the IdP: '
           + page.url());
    step('chose Korsbæk, remembered');

    await page.check('input[name=user][value=alice]');
    await Promise.all([page.waitForURL('**/app/start'),
                       page.click('button[type=submit]')]);
    const text = await page.textContent('body');
    expect(text.includes('User=C=DK,O=12345678,CN=Alice Andersen'),
           'the app sees the user: ' + text.slice(0, 200));
    expect(text.includes('IdP=korsbaek'), 'the app sees the IdP');
    step('logged in at the test IdP, back at the app with headers');

    // later: logged out, the remembered IdP is used directly
    await page.goto(base + '/saml/logout');
    await page.goto(base + '/app/again');
    expect(page.url().includes('/idp/korsbaek/sso'),
           'the remembered IdP is used: ' + page.url());
    step('remembered choice goes straight to the IdP');

    // the way out: every page of ours links to "choose another"
    await page.goto(base + '/saml/login?idp=no-such-idp&return=/app/again');
    await Promise.all([page.waitForNavigation(),
                       page.getByText('Vælg en anden login-metode').click()]);
    expect(new URL(page.url()).pathname === '/saml/choose',
           '"choose another" shows the page: ' + page.url());
    await page.goto(base + '/app/again');
    expect(new URL(page.url()).pathname === '/saml/choose',
           'the choice is forgotten: ' + page.url());
    step('"choose another login method" forgets the choice');

    // English, and a phone
    await page.getByRole('link', { name: 'English' }).click();
    expect(await page.title() === 'Choose how to log in', 'English title');
    step('language switch');

    const phone = await browser.newContext({
        ignoreHTTPSErrors: true, viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2, isMobile: true, hasTouch: true,
        locale: 'da-DK',
    });
    const p2 = await phone.newPage();
    await p2.goto(base + '/saml/choose?return=%2Fapp%2F');
    const width = await p2.evaluate(() =>
        document.documentElement.scrollWidth);
    expect(width <= 390, 'no horizontal scrolling on a phone: ' + width);
    if (shots) {
        await p2.screenshot({ path: shots + '/choice-phone.png',
                              fullPage: true });
    }
    step('phone width');
} finally {
    await browser.close();
}

console.log('done');
