import { DEFAULT_SCOPE, FusionSimulator } from './server';

// `npm run fusion-sim`: the Fusion simulator on its own, for the demo and for manual runs.
// FUSION_SIM_PORT (default 8790), FUSION_SIM_CLIENT_ID (default ml-connector),
// FUSION_SIM_CLIENT_SECRET (default sim-secret), FUSION_SIM_SCOPE (default the Fusion form),
// FUSION_SIM_BASIC_USER / FUSION_SIM_BASIC_PASSWORD (Basic auth on resources, off by default),
// FUSION_SIM_GENERATED_LINES (serve that many computed journal lines instead of the seed).

async function main(): Promise<void> {
  const port = Number(process.env.FUSION_SIM_PORT ?? 8790);
  const { FUSION_SIM_BASIC_USER: user, FUSION_SIM_BASIC_PASSWORD: password } = process.env;
  const generatedLines = Number(process.env.FUSION_SIM_GENERATED_LINES ?? 0);
  const sim = new FusionSimulator({
    clientId: process.env.FUSION_SIM_CLIENT_ID ?? 'ml-connector',
    clientSecret: process.env.FUSION_SIM_CLIENT_SECRET ?? 'sim-secret',
    scope: process.env.FUSION_SIM_SCOPE ?? DEFAULT_SCOPE,
    ...(user && password ? { basicAuth: { username: user, password } } : {}),
    ...(generatedLines > 0 ? { generated: { journalLines: generatedLines } } : {}),
  });
  const url = await sim.listen(port, process.env.FUSION_SIM_HOST ?? '127.0.0.1');
  console.log(
    JSON.stringify({
      msg: 'Fusion simulator listening',
      baseUrl: `${url}/fscmRestApi/resources/11.13.18.05`,
      tokenUrl: `${url}/oauth2/v1/token`,
      scope: process.env.FUSION_SIM_SCOPE ?? DEFAULT_SCOPE,
      journalLines: sim.generator?.lineCount ?? sim.journals.lines.length,
    }),
  );
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
