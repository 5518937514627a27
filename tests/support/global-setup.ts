// Scaffold: the services helper adds testcontainers here (only where a Docker engine runs).
export default async function setup(): Promise<void> {}
