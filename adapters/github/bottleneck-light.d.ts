// bottleneck ships types for its main entry only; light.js is the same API without Redis
// clustering, and the build @octokit/plugin-throttling itself loads.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
