export interface FeedbackProps {
  error?: string;
  notice?: string;
}

/** The outcome line under a form: an error as an alert, a success as a status for screen readers. */
export function Feedback({ error, notice }: FeedbackProps) {
  return (
    <>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
    </>
  );
}
