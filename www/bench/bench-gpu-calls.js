// WebGPU calls counted where a bench page's calls pass, the same way for the core's page and for
// TF.js's: compute dispatches, compute passes, queue submits (and the command buffers in them),
// bytes copied between buffers and bytes written into them from JS; and the live buffers, for
// memory growth. Imported before anything creates a device: it wraps the prototypes.
export const calls = { dispatches: 0, passes: 0, submits: 0, commandBuffers: 0, copiedBytes: 0, writtenBytes: 0 };

// A buffer stops counting when it is destroyed or collected (one dropped without destroy() is
// freed with its JS object).
export const gpu = { buffers: 0, bytes: 0 };

/** The calls counted so far (a copy, to subtract from a later one). */
export const callsNow = () => ({ ...calls });

/** What `work` (async) made of WebGPU calls. */
export async function callsOf(work) {
  const before = callsNow();
  const result = await work();
  return { result, calls: Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, v - before[k]])) };
}

/** Wraps `proto[name]` so that `count(args, this)` runs before each call. */
function counted(proto, name, count) {
  const original = proto?.[name];
  if (typeof original !== 'function') return;
  proto[name] = function (...args) {
    count(args, this);
    return original.apply(this, args);
  };
}

if (globalThis.GPUDevice) {
  counted(GPUComputePassEncoder.prototype, 'dispatchWorkgroups', () => (calls.dispatches += 1));
  counted(GPUComputePassEncoder.prototype, 'dispatchWorkgroupsIndirect', () => (calls.dispatches += 1));
  counted(GPUCommandEncoder.prototype, 'beginComputePass', () => (calls.passes += 1));
  counted(GPUQueue.prototype, 'submit', ([buffers]) => {
    calls.submits += 1;
    calls.commandBuffers += buffers?.length ?? 0;
  });
  // copyBufferToBuffer(source, sourceOffset, destination, destinationOffset, size), or the newer
  // (source, destination, size?) form.
  counted(GPUCommandEncoder.prototype, 'copyBufferToBuffer', (args) => {
    const size = typeof args[1] === 'number' ? args[4] : args[2];
    calls.copiedBytes += size ?? args[0].size;
  });
  // writeBuffer(buffer, offset, data, dataOffset?, size?): offsets and size in elements of a typed
  // array, in bytes otherwise.
  counted(GPUQueue.prototype, 'writeBuffer', ([, , data, dataOffset = 0, size]) => {
    const unit = data.BYTES_PER_ELEMENT ?? 1;
    calls.writtenBytes += (size ?? (data.byteLength / unit - dataOffset)) * unit;
  });

  const live = new WeakMap();
  const release = (size) => {
    gpu.buffers -= 1;
    gpu.bytes -= size;
  };
  const collected = new FinalizationRegistry(release);
  const { createBuffer } = GPUDevice.prototype;
  const { destroy } = GPUBuffer.prototype;
  GPUDevice.prototype.createBuffer = function (descriptor) {
    const buffer = createBuffer.call(this, descriptor);
    const token = {};
    live.set(buffer, { size: descriptor.size, token });
    collected.register(buffer, descriptor.size, token);
    gpu.buffers += 1;
    gpu.bytes += descriptor.size;
    return buffer;
  };
  GPUBuffer.prototype.destroy = function () {
    const entry = live.get(this);
    if (entry) {
      live.delete(this);
      collected.unregister(entry.token);
      release(entry.size);
    }
    return destroy.call(this);
  };
}
