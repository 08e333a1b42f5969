// hls.js, the browser HLS player, in Debian's Chromium (headless, driven by puppeteer-core):
// plays a playlist from a page on http://127.0.0.1:PAGE_PORT and prints what happened as JSON.
//
//   node hlsjs.mjs PAGE_PORT PLAYLIST_URL TIMEOUT_SECONDS
//
// The page is served here (the page and hls.js from tools/node_modules), so its origin is
// http://127.0.0.1:PAGE_PORT: the proxy must allow it (paratii watch --allow-origin). The
// result: {ended, fragments, fatal, errors ("type:details [status]"), frames, dropped,
// currentTime, duration}. Exit 0 when
// the page reported, 1 when the harness itself failed (no browser, a timeout).
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const [port, playlist, timeout] = process.argv.slice(2);
const tools = fileURLToPath(new URL('../../../tools/', import.meta.url));
const require = createRequire(tools + 'package.json');
const puppeteer = require('puppeteer-core');
const hls = readFileSync(require.resolve('hls.js/dist/hls.min.js'));

const page = `<!doctype html>
<video id="v" muted playsinline></video>
<script src="/hls.min.js"></script>
<script>
  const video = document.getElementById('v');
  const seen = { fragments: 0, errors: [], fatal: false };
  const report = (ended) => {
    const q = video.getVideoPlaybackQuality();
    window.result = { ended, fragments: seen.fragments, fatal: seen.fatal, errors: seen.errors,
      frames: q.totalVideoFrames, dropped: q.droppedVideoFrames,
      currentTime: video.currentTime, duration: video.duration };
  };
  const player = new Hls();
  player.on(Hls.Events.FRAG_LOADED, () => { seen.fragments += 1; });
  player.on(Hls.Events.ERROR, (_, data) => {
    seen.errors.push(data.type + ':' + data.details + (data.response ? ' ' + data.response.code : ''));
    if (data.fatal) { seen.fatal = true; report(false); }
  });
  player.on(Hls.Events.MANIFEST_PARSED, () => { video.play(); });
  video.addEventListener('ended', () => report(true));
  player.loadSource(${JSON.stringify(playlist)});
  player.attachMedia(video);
</script>`;

const server = createServer((req, res) => {
  if (req.url === '/hls.min.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(hls);
  } else {
    res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  }
});
await new Promise((resolve) => server.listen(Number(port), '127.0.0.1', resolve));

let browser;
try {
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // CI runs as root, where Chromium's sandbox cannot start.
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
  });
  const tab = await browser.newPage();
  // What the browser itself says (a refused request, a CORS failure) goes to stderr.
  tab.on('console', (message) => console.error(`page: ${message.text()}`));
  tab.on('requestfailed', (r) => console.error(`request failed: ${r.url()}: ${r.failure()?.errorText}`));
  await tab.goto(`http://127.0.0.1:${port}/`);
  await tab.waitForFunction(() => window.result, { timeout: Number(timeout) * 1000 });
  console.log(JSON.stringify(await tab.evaluate(() => window.result)));
} catch (error) {
  console.error(`hls.js harness: ${error}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  server.close();
}
