// Reads the store zips the build writes (wxt zip: JSZip, stored or deflated, no zip64), so the
// suites can look inside without an unzip tool or another dependency.
import { inflateRawSync } from 'node:zlib';

const endOfCentralDirectory = 0x06054b50;
const centralDirectoryEntry = 0x02014b50;
const localFileHeader = 0x04034b50;

/**
 * Every file in `zip` by its path (directories left out).
 * @throws {RangeError} on a zip this reader does not handle (zip64, encryption, other methods) or a damaged one.
 */
export function readZip(zip: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // The end record sits in the last 22 bytes plus at most a 64 KiB comment.
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === endOfCentralDirectory) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new RangeError('not a zip: no end of central directory record');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const files = new Map<string, Uint8Array>();
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (view.getUint32(at, true) !== centralDirectoryEntry) throw new RangeError(`damaged zip: central directory entry ${i}`);
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const compressedSize = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const localOffset = view.getUint32(at + 42, true);
    const name = decoder.decode(zip.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    if (compressedSize === 0xffffffff || localOffset === 0xffffffff) throw new RangeError(`${name}: zip64 is not supported`);
    if (flags & 1) throw new RangeError(`${name}: encrypted entries are not supported`);
    if (name.endsWith('/')) continue;
    if (view.getUint32(localOffset, true) !== localFileHeader) throw new RangeError(`damaged zip: local header of ${name}`);
    const dataStart = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    let content: Uint8Array;
    if (method === 0) content = data;
    else if (method === 8) content = inflateRawSync(data);
    else throw new RangeError(`${name}: compression method ${method} is not supported`);
    if (content.length !== size) throw new RangeError(`damaged zip: ${name} is ${content.length} bytes, expected ${size}`);
    files.set(name, content);
  }
  return files;
}
