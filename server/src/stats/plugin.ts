import fp from 'fastify-plugin';

// Scaffold: replaced by the stats domain.
export default fp(async () => {}, { name: 'stats' });
