// The service: config → telemetry → (dynamic import) MongoDB, service, app → listen → graceful stop.
import { startTelemetry } from '@globeco/telemetry';
import { CONFIG_ERROR_EXIT_CODE, ConfigError, loadConfig, telemetryOptions, type AppConfig } from './config.js';

function loadOrExit(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(CONFIG_ERROR_EXIT_CODE);
    }
    throw error;
  }
}

const config = loadOrExit();
// Telemetry starts before Koa and the MongoDB driver are loaded, so their instrumentation applies.
const obs = startTelemetry(telemetryOptions(config));
const { startService } = await import('./runtime.js');

try {
  const service = await startService(config, obs);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) {
      obs.logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    service.shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        obs.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
} catch (error) {
  obs.logger.fatal({ err: error }, 'start-up failed');
  await obs.shutdown();
  process.exit(1);
}
