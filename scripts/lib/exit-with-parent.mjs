// Preloaded (`node --import`) into the API that workspace.mjs starts in a process group of its own:
// when the wrapper goes away without passing a signal on (SIGKILL, a crash), the IPC channel to it
// closes and the API stops as on SIGTERM (a graceful drain) instead of serving on by itself.
if (process.channel) {
  // The channel alone must not keep the API alive.
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
