import fp from 'fastify-plugin';

// Scaffold: replaced by the ingest domain.
export default fp(async () => {}, { name: 'ingest' });
