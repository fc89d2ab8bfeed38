// Text imports (`with { type: "text" }`) embed SQL migrations in the compiled binary.
declare module "*.sql" {
  const text: string;
  export default text;
}
