// The HTTP side of Papote: entering, accounts. Errors are JSON {code, message: {fr, en}}.

export class PapoteError extends Error {
  constructor(code, texts = null, status = 0, details = null) {
    super(code);
    this.code = code;
    this.texts = texts; // {fr, en} from the server, or null for local failures
    this.status = status;
    this.details = details || {}; // e.g. {retry_after: seconds} or {labels: [...]}
  }
}

async function call(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new PapoteError("network");
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    // an HTML error page from a proxy: keep data null
  }
  if (!response.ok) {
    throw new PapoteError(data?.code || "network", data?.message || null, response.status, data?.details);
  }
  return data;
}

export function enter(details) {
  return call("POST", "/api/enter", details);
}

export function login(email, password) {
  return call("POST", "/api/login", { email, password });
}

export function register(email, password) {
  return call("POST", "/api/register", { email, password });
}

export function logout() {
  return call("POST", "/api/logout", {});
}

/** The person behind the session cookie, or null when there is no valid session. */
export async function me() {
  try {
    return (await call("GET", "/api/me")).person;
  } catch (error) {
    if (error.status === 401) return null;
    throw error;
  }
}

/** Contest a decision; over HTTP, so that it works while suspended. Returns {appeal: id}. */
export function fileAppeal(decisionId, text) {
  return call("POST", "/api/appeals", { decision_id: decisionId, text });
}

/** Administrators: give an existing account a role. Returns {previous, role}. */
export function setRole(body) {
  return call("POST", "/api/admin/roles", body);
}

/** The public report page's request: no session needed. Returns {report: id}. */
export function publicReport(body) {
  return call("POST", "/api/reports", body);
}

export const IMAGE_MAX_BYTES = 10 * 1024 * 1024; // the server's limit, checked here for a quick answer

/**
 * Upload a photo as the raw request body. XMLHttpRequest rather than fetch: only it reports
 * upload progress. onProgress(fraction sent, 0..1). Returns {done: Promise<{image, width,
 * height, mime}>, cancel()}; a cancelled upload rejects with the code "upload_cancelled".
 */
export function uploadImage(file, onProgress) {
  const xhr = new XMLHttpRequest();
  const done = new Promise((resolve, reject) => {
    xhr.open("POST", "/api/images");
    xhr.withCredentials = true;
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.responseType = "text";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        // an HTML error page from a proxy: keep data null
      }
      if (xhr.status >= 200 && xhr.status < 300 && data && Number.isInteger(data.image)) resolve(data);
      else reject(new PapoteError(data?.code || "network", data?.message || null, xhr.status, data?.details));
    };
    xhr.onerror = () => reject(new PapoteError("network"));
    xhr.onabort = () => reject(new PapoteError("upload_cancelled"));
    xhr.send(file);
  });
  return { done, cancel: () => xhr.abort() };
}
