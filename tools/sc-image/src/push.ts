import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { nameProblem, UsageError, type CommandVerb } from '@sc/core';
import { parseReference, type DockerReference } from './docker-reference.js';
import { Interrupt } from './interrupt.js';
import { Progress } from './progress.js';
import { TLS_VERIFY, tlsVerify } from './pull.js';
import { AUTH_HELP, authFileProblem } from './registry-auth.js';
import { reportFailure } from './registry-failure.js';
import { stageImage, wholeImage } from './save.js';
import { skopeo } from './skopeo.js';

export const push: CommandVerb = {
  kind: 'command',
  summary:
    'push an image (imported, pulled, or committed from a container) to a registry with skopeo: written as an OCI layout, ' +
    'its layers as save writes them (skopeo gzips them on the way), then copied to docker://[HOST[:PORT]/]REPOSITORY[:TAG] ' +
    `(docker:// may be left out; the tag defaults to latest). ${AUTH_HELP}`,
  reads: "the image's layers",
  writes: '{name, reference, digest} (the digest of the manifest the registry now holds); on a failure {name, reference, error}',
  usage: 'NAME REF',
  options: { 'tls-verify': TLS_VERIFY },
  check(ctx) {
    if (ctx.args.length !== 2) throw new UsageError('push takes an image NAME and a REF, e.g. sc-image push web docker://registry.example.com/team/web:2');
    const problem = nameProblem(ctx.args[0]);
    if (problem) throw new UsageError(problem);
    const ref = parseReference(ctx.args[1]!);
    if (typeof ref === 'string') throw new UsageError(ref);
    if (ref.digest) throw new UsageError(`${ref.text}: a push goes to a tag, not a digest (the registry makes the digest)`);
    tlsVerify(ctx);
    const auth = authFileProblem();
    if (auth) throw new UsageError(auth);
  },
  async run(ctx) {
    const name = ctx.args[0]!;
    const ref = parseReference(ctx.args[1]!) as DockerReference;
    const interrupt = new Interrupt();
    let stage: string | undefined;
    let progress: Progress | undefined;
    try {
      const image = wholeImage(ctx.layout, name);
      mkdirSync(ctx.layout.tmp, { recursive: true });
      stage = mkdtempSync(join(ctx.layout.tmp, 'push-'));
      const layout = join(stage, 'image');
      mkdirSync(layout);
      progress = await Progress.start(`saving ${name}`, image.size);
      await stageImage(ctx.layout, image, layout, 'oci-archive', undefined, progress);
      progress.done();
      interrupt.check(ref.text);
      // On a terminal, skopeo's own progress bars show the upload.
      const { isatty } = await import('node:tty');
      const live = isatty(2);
      const digestFile = join(stage, 'digest');
      await skopeo(['--tmpdir', stage, 'copy', ...(live ? [] : ['--quiet']), ...(tlsVerify(ctx) ? [] : ['--dest-tls-verify=false']),
        '--digestfile', digestFile, `oci:${layout}`, ref.text], stage, { reference: ref.text, host: ref.host }, interrupt, live ? 'stderr' : 'pipe');
      await ctx.emit({ name, reference: ref.text, digest: readFileSync(digestFile, 'utf8').trim() });
      return 0;
    } catch (err) {
      progress?.done();
      return reportFailure(ctx, { name, reference: ref.text }, err, interrupt, 'the registry may keep the blobs it got, but no image');
    } finally {
      if (stage) rmSync(stage, { recursive: true, force: true });
      interrupt.dispose();
    }
  },
};
