// Thumbnails a folder with sharp the way a Node service would: a fixed number of images in
// flight (default 2, one per core here), each resize({width}) then JPEG at a quality, with
// sharp's defaults otherwise (metadata is not copied unless .withMetadata() is asked for;
// sharp.concurrency() libvips threads per image).
//
//   node sharp_thumbs.mjs INPUT_DIR OUTPUT_DIR WIDTH [QUALITY=85] [IN_FLIGHT=2]
//
// sharp is imported from NODE_PATH's folder (see convert_bench.sh), not from the repository.
import { createRequire } from 'node:module';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

const [inputDir, outputDir, widthArg, qualityArg = '85', inFlightArg = '2'] =
    process.argv.slice(2);
if (!inputDir || !outputDir || !widthArg) {
  console.error('usage: node sharp_thumbs.mjs INPUT_DIR OUTPUT_DIR WIDTH [QUALITY] [IN_FLIGHT]');
  process.exit(2);
}
// ES modules ignore NODE_PATH; resolve sharp through a CommonJS require rooted there.
const require = createRequire(path.join(process.env.NODE_PATH ?? process.cwd(), 'noop.js'));
const sharp = require('sharp');
const width = Number(widthArg);
const quality = Number(qualityArg);
const inFlight = Number(inFlightArg);

const names = (await readdir(inputDir)).filter((n) => /\.(jpe?g|png)$/i.test(n)).sort();
let next = 0;
let failures = 0;
async function worker() {
  while (next < names.length) {
    const name = names[next++];
    const output = path.join(outputDir, name.replace(/\.[^.]+$/, '.jpg'));
    try {
      await sharp(path.join(inputDir, name)).resize({ width }).jpeg({ quality }).toFile(output);
    } catch (error) {
      console.error(`${name}: ${error.message}`);
      ++failures;
    }
  }
}
await Promise.all(Array.from({ length: inFlight }, worker));
process.exit(failures === 0 ? 0 : 1);
