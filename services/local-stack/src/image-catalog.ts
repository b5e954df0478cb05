import { fileURLToPath } from "node:url";

/**
 * The image catalog `pnpm start` gives its node agents unless CAPSTAN_IMAGE_CATALOG names another:
 * the images of ../shared/examples that the built-in catalog lacks. `my-image` (deployment.yaml, any
 * tag) is Kubernetes' agnhost serve-hostname on the containerPort 8080, so the Deployment behind
 * service.yaml answers HTTP with its pod's name.
 */
export const examplesImageCatalog = fileURLToPath(new URL("../image-catalog.json", import.meta.url));
