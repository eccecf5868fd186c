import { collaboratorPermission } from './payloads.js';
import { notFound, requireRepo, route } from './router.js';

export const collaboratorRoutes = [
  route(
    'GET',
    '/repos/{owner}/{repo}/collaborators/{username}/permission',
    'https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user',
    (ctx) => {
      const repo = requireRepo(ctx);
      const user = ctx.state.user(ctx.params.username ?? '');
      if (user === undefined) throw notFound(ctx);
      const body = collaboratorPermission(repo, user, ctx.state.roleOf(repo, user), ctx.urls);
      return { status: 200, body };
    },
  ),
];
