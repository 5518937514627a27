import fp from 'fastify-plugin';

// Scaffold: replaced by the telemetry domain.
export default fp(async () => {}, { name: 'telemetry' });
