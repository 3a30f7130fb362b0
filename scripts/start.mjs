// `npm start`: set up and build what is missing, then serve the playground on 127.0.0.1.
import { buildSite } from './build.mjs';

try {
  await buildSite();
  const { serve, urlOf } = await import('./serve.mjs');
  let port = Number(process.env.PORT || 8080);
  let server;
  for (;;) {
    try {
      server = await serve({ port });
      break;
    } catch (e) {
      if (e.code !== 'EADDRINUSE' || port > 8100) throw e;
      port += 1;
    }
  }
  console.log(`\nGAN Playground is running at ${urlOf(server)}  (Ctrl+C to stop)`);
} catch (e) {
  console.error(`npm start failed: ${e.message}`);
  process.exit(1);
}
