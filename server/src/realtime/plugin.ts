import fp from 'fastify-plugin';

// Scaffold: replaced by the realtime domain.
export default fp(async () => {}, { name: 'realtime' });
