import fp from 'fastify-plugin';

// Scaffold: replaced by the detection domain.
export default fp(async () => {}, { name: 'detection' });
