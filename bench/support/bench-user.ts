/**
 * Signs in as the admin of a running API, creates `username` and answers that user's token: the
 * first steps of the README, for benchmarks that drive a server they started themselves.
 */
export async function createBenchUser(base: string, admin: { username: string; password: string }, username: string): Promise<string> {
  const post = async (path: string, body: object, bearer?: string) =>
    (await (
      await fetch(base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
        body: JSON.stringify(body),
      })
    ).json()) as Record<string, string>;
  const password = `${username}-password`;
  const adminToken = (await post('/api/v1/auth/token', admin)).access_token;
  await post('/api/v1/users', { username, password }, adminToken);
  return (await post('/api/v1/auth/token', { username, password })).access_token;
}
