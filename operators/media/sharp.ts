// sharp as tierflow uses it: libvips' operation cache off. Every frame and photo is a new image, so the cache
// (up to 50 MB per process by default) only ever held memory, never a hit.
import sharp from 'sharp';

sharp.cache(false);

export default sharp;
