import { linkHeaders, paginate } from './pagination.js';
import { reaction } from './payloads.js';
import { requireViewer, route, validationFailed } from './router.js';
import { canonicalPath, requireComment } from './routes-comments.js';
import { REACTION_CONTENTS, type ReactionContent } from './state.js';

const DOCS = 'https://docs.github.com/rest/reactions/reactions';

function isReactionContent(value: unknown): value is ReactionContent {
  return typeof value === 'string' && (REACTION_CONTENTS as readonly string[]).includes(value);
}

export const reactionRoutes = [
  route(
    'GET',
    '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
    `${DOCS}#list-reactions-for-an-issue-comment`,
    (ctx) => {
      const comment = requireComment(ctx);
      const content = ctx.url.searchParams.get('content');
      const reactions = ctx.state
        .reactionsOf(comment.id)
        .filter((r) => content === null || r.content === content);
      const page = paginate(reactions, ctx.url, canonicalPath(ctx, comment.repo));
      return {
        status: 200,
        body: page.items.map((r) => reaction(r, ctx.urls)),
        headers: linkHeaders(page),
      };
    },
  ),

  route(
    'POST',
    '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
    `${DOCS}#create-reaction-for-an-issue-comment`,
    (ctx) => {
      const viewer = requireViewer(ctx);
      const comment = requireComment(ctx);
      const content =
        typeof ctx.body === 'object' && ctx.body !== null
          ? (ctx.body as Record<string, unknown>).content
          : undefined;
      if (!isReactionContent(content)) {
        throw validationFailed(ctx, [{ resource: 'Reaction', code: 'invalid', field: 'content' }]);
      }
      const result = ctx.state.react(comment.id, viewer.login, content);
      return { status: result.created ? 201 : 200, body: reaction(result.reaction, ctx.urls) };
    },
  ),
];
