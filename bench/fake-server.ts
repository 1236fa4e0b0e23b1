import { startFakeGhl } from '../src/fake-ghl/index.js';

// Serves a simulated location in its own process, so the fake's JSON work does not compete with
// the sync being measured for the same CPU core. Prints one JSON line with its address, then waits.
const contacts = Number(process.argv[2] ?? 1206);
const latencyMs = Number(process.argv[3] ?? 200);
const max = Number(process.argv[4] ?? 100);
const fake = await startFakeGhl({ contactCount: contacts, seed: 42, opportunityCount: Math.min(2_000, Math.round(contacts / 10)), latencyMs, rateLimit: { max } });
// GHL's own CPU is not the client's: serialise the contacts before the measured sync starts.
fake.warmUp();
process.stdout.write(`${JSON.stringify({ url: fake.url, v1Url: fake.v1Url, locationId: fake.locationId, tokens: fake.tokens })}\n`);
process.stdin.on('data', (d) => {
  // Commands from the bench: "stats" prints request counters; "cpu" the CPU time this process has
  // used; "touch N" changes N contacts.
  for (const line of d.toString().split('\n').filter(Boolean)) {
    const [cmd, arg] = line.split(' ');
    if (cmd === 'stats') process.stdout.write(`${JSON.stringify(fake.stats)}\n`);
    if (cmd === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.stdout.write(`${JSON.stringify({ cpu_ms: Math.round((user + system) / 1000) })}\n`);
    }
    if (cmd === 'reset') {
      fake.resetStats();
      process.stdout.write('{}\n');
    }
    if (cmd === 'touch') {
      const all = fake.store.all();
      for (let i = 0; i < Number(arg); i++) fake.store.updateContact(all[(i * 7919) % all.length]!.id, { tags: ['touched'] });
      process.stdout.write('{}\n');
    }
  }
});
process.stdin.on('end', () => void fake.close().then(() => process.exit(0)));
