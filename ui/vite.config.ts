import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

export default defineConfig({
  plugins: [svelte()],
  // Tauri serves the built files itself; relative paths keep them working from any origin.
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Inline nothing: the CSP allows scripts, styles and images only from the app itself.
    assetsInlineLimit: 0,
    // The main chunk is the map and the lists (about 450 kB); the dashboard's chunk, loaded
    // when first opened, is mostly ECharts (about 500 kB). Warn past either.
    chunkSizeWarningLimit: 560,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
  },
});
