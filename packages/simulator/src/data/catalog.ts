/**
 * Fixed catalogues the generator draws from: real-looking WAS QIDs with their groups and taxonomy, VM QID ranges,
 * names, and the hostile strings that scanned web apps really contain (payloads, responses, URLs).
 * QIDs and titles are facts about Qualys' KnowledgeBase (e.g. 150004 "Path-Based Vulnerability" and 150263
 * "Insecure Transport" appear in Qualys' Azure DevOps WAS connector guide; 150085 in the DefectDojo sample; 6
 * "DNS Host Name" in the Dradis sample).
 */
import type { FindingType, Severity } from "../model.js";

export interface WasQidSpec {
  qid: number;
  title: string;
  type: FindingType;
  group: string;
  severity: Severity;
  owasp: string[];
  wasc: string[];
  cwe: number[];
}

const OWASP_NAMES: Record<string, string> = {
  A01: "Broken Access Control",
  A02: "Cryptographic Failures",
  A03: "Injection",
  A04: "Insecure Design",
  A05: "Security Misconfiguration",
  A06: "Vulnerable and Outdated Components",
  A07: "Identification and Authentication Failures",
  A08: "Software and Data Integrity Failures",
  A09: "Security Logging and Monitoring Failures",
  A10: "Server-Side Request Forgery (SSRF)",
};

const WASC_NAMES: Record<string, string> = {
  "WASC-4": "INSUFFICIENT TRANSPORT LAYER PROTECTION",
  "WASC-8": "CROSS-SITE SCRIPTING",
  "WASC-13": "INFORMATION LEAKAGE",
  "WASC-14": "SERVER MISCONFIGURATION",
  "WASC-15": "APPLICATION MISCONFIGURATION",
  "WASC-16": "DIRECTORY INDEXING",
  "WASC-17": "IMPROPER FILESYSTEM PERMISSIONS",
  "WASC-19": "SQL INJECTION",
  "WASC-20": "IMPROPER INPUT HANDLING",
  "WASC-33": "PATH TRAVERSAL",
  "WASC-34": "PREDICTABLE RESOURCE LOCATION",
  "WASC-45": "FINGERPRINTING",
};

export function owaspEntry(code: string): { code: string; name: string; url: string } {
  return {
    code,
    name: OWASP_NAMES[code] ?? code,
    url: `https://owasp.org/Top10/${code}_2021/`,
  };
}

export function wascEntry(code: string): { code: string; name: string; url: string } {
  return {
    code,
    name: WASC_NAMES[code] ?? code,
    url: `http://projects.webappsec.org/w/page/13246978/Threat%20Classification`,
  };
}

const v = (
  qid: number,
  title: string,
  group: string,
  severity: Severity,
  owasp: string[],
  wasc: string[],
  cwe: number[],
): WasQidSpec => ({ qid, title, type: "VULNERABILITY", group, severity, owasp, wasc, cwe });
const sc = (qid: number, title: string, group: string, severity: Severity): WasQidSpec => ({
  qid,
  title,
  type: "SENSITIVE_CONTENT",
  group,
  severity,
  owasp: ["A04"],
  wasc: ["WASC-13"],
  cwe: [200],
});
const ig = (qid: number, title: string, group: string, severity: Severity): WasQidSpec => ({
  qid,
  title,
  type: "INFORMATION_GATHERED",
  group,
  severity,
  owasp: [],
  wasc: [],
  cwe: [],
});

/** WAS QIDs: vulnerabilities of every severity, sensitive content and information gathered. */
export const WAS_QIDS: readonly WasQidSpec[] = [
  v(150001, "Reflected Cross-Site Scripting (XSS) Vulnerabilities", "XSS", 3, ["A03"], ["WASC-8"], [79]),
  v(150003, "Cross-Site Scripting Vulnerabilities", "XSS", 3, ["A03"], ["WASC-8"], [79]),
  v(150004, "Path-Based Vulnerability", "PATH", 2, ["A01"], ["WASC-17", "WASC-16"], [22]),
  v(150012, "Blind SQL Injection", "SQL", 5, ["A03"], ["WASC-19"], [89]),
  v(
    150013,
    "Browser-Specific Cross-Site Scripting (XSS) Vulnerabilities",
    "XSS",
    3,
    ["A03"],
    ["WASC-8"],
    [79],
  ),
  v(150022, "Verbose Error Message", "INFO", 1, ["A05"], ["WASC-13"], [209]),
  v(150046, "Reflected Cross-Site Scripting (XSS) in HTTP Header", "XSS", 3, ["A03"], ["WASC-8"], [79]),
  v(150055, "Operating System Command Injection", "SQL", 5, ["A03"], ["WASC-20"], [78]),
  v(
    150071,
    "Form Can Be Manipulated with Cross-Site Request Forgery (CSRF)",
    "INFO",
    2,
    ["A01"],
    ["WASC-9"],
    [352],
  ),
  v(150079, "Slow HTTP POST vulnerability", "INFO", 2, ["A05"], ["WASC-14"], [400]),
  v(150081, "Possible Clickjacking Vulnerability", "INFO", 1, ["A05"], ["WASC-15"], [1021]),
  v(150084, "Unencoded characters", "XSS", 1, ["A03"], ["WASC-8"], [116]),
  v(150085, "Slow HTTP headers vulnerability", "INFO", 3, ["A05"], ["WASC-14"], [400]),
  v(150112, "Sensitive form field has not disabled autocomplete", "INFO", 1, ["A04"], ["WASC-15"], [525]),
  v(150120, 'Session Cookie Does Not Contain The "Secure" Attribute', "INFO", 2, ["A05"], ["WASC-15"], [614]),
  v(150122, 'Cookie Does Not Contain The "secure" Attribute', "INFO", 1, ["A05"], ["WASC-15"], [614]),
  v(150123, 'Cookie Does Not Contain The "HTTPOnly" Attribute', "INFO", 1, ["A05"], ["WASC-15"], [1004]),
  v(150124, "Clickjacking - Framable Page", "INFO", 3, ["A05"], ["WASC-15"], [1021]),
  v(150150, "Local File Inclusion", "PATH", 5, ["A01"], ["WASC-33"], [98]),
  v(150162, "Vulnerable JavaScript Library Detected", "INFO", 3, ["A06"], ["WASC-15"], [937]),
  v(150202, "Missing header: X-Content-Type-Options", "INFO", 2, ["A05"], ["WASC-15"], [16]),
  v(150206, "Content-Security-Policy Not Implemented", "INFO", 2, ["A05"], ["WASC-15"], [1021]),
  v(150210, "Information Disclosure via Response Header", "INFO", 1, ["A05"], ["WASC-13"], [200]),
  v(150248, "Missing header: Referrer-Policy", "INFO", 1, ["A05"], ["WASC-15"], [16]),
  v(150263, "Insecure Transport", "INFO", 3, ["A02"], ["WASC-4"], [319]),
  v(150276, "Server-Side Template Injection", "SQL", 4, ["A03"], ["WASC-20"], [1336]),
  v(
    150308,
    "HTTP Strict Transport Security (HSTS) Policy Not Enabled",
    "INFO",
    3,
    ["A05"],
    ["WASC-4"],
    [523],
  ),
  v(150320, "Server-Side Request Forgery (SSRF)", "SQL", 4, ["A10"], ["WASC-20"], [918]),
  v(150375, "XML External Entity (XXE) Injection", "SQL", 4, ["A05"], ["WASC-43"], [611]),
  v(150524, "Spring4Shell Remote Code Execution (CVE-2022-22965)", "INFO", 5, ["A06"], ["WASC-20"], [94]),
  v(150440, "Log4Shell Remote Code Execution (CVE-2021-44228)", "INFO", 5, ["A06"], ["WASC-20"], [917]),
  v(150607, "JWT Accepts Unsigned Tokens", "INFO", 4, ["A02"], ["WASC-1"], [347]),
  sc(150014, "Credit Card Number Disclosed", "CC", 3),
  sc(150015, "US Social Security Number Disclosed", "SSN_US", 3),
  sc(150016, "Custom Sensitive Content Pattern Found", "CUSTOM", 2),
  ig(6, "DNS Host Name", "INFO", 1),
  ig(45038, "Host Scan Time - Scanner", "INFO", 1),
  ig(150009, "Links Crawled", "INFO", 1),
  ig(150010, "External Links Discovered", "INFO", 1),
  ig(150018, "Connection Error Occurred During Web Application Scan", "INFO", 2),
  ig(150020, "Links Rejected By Crawl Scope or Exclusion List", "INFO", 1),
  ig(150021, "Scan Diagnostics", "INFO", 1),
  ig(150028, "Cookies Collected", "INFO", 1),
  ig(150104, "Form Contains Email Address Field", "INFO", 1),
  ig(150115, "Authentication Form found", "INFO", 1),
  ig(150148, "AJAX Links Crawled", "INFO", 1),
  ig(150152, "Forms Crawled", "INFO", 1),
];

/** VM QID blocks: realistic ranges, categories and title stems for generated KnowledgeBase entries. */
export const VM_QID_BLOCKS: readonly { start: number; category: string; titles: readonly string[] }[] = [
  {
    start: 38_100,
    category: "General remote services",
    titles: [
      "SSL Certificate - Self-Signed Certificate",
      "SSH Server Public Key Too Small",
      "TLS Version 1.0 Protocol Detection",
    ],
  },
  {
    start: 90_800,
    category: "Windows",
    titles: [
      "Microsoft Windows Security Update",
      "Microsoft SMB Server Remote Code Execution",
      "Windows Print Spooler Elevation of Privilege",
    ],
  },
  {
    start: 105_900,
    category: "Security Policy",
    titles: [
      "EOL/Obsolete Software: Microsoft ASP.NET 1.0 Detected",
      "EOL/Obsolete Operating System",
      "Administrator Account Password Never Expires",
    ],
  },
  {
    start: 110_300,
    category: "Office Application",
    titles: ["Microsoft Office Remote Code Execution Vulnerability", "Adobe Reader Multiple Vulnerabilities"],
  },
  {
    start: 370_100,
    category: "Local",
    titles: [
      "Google Chrome Prior to Security Update",
      "Mozilla Firefox Multiple Vulnerabilities",
      "OpenSSL Denial of Service",
    ],
  },
  {
    start: 316_700,
    category: "Cisco",
    titles: [
      "Cisco IOS XE Software Command Injection Vulnerability",
      "Cisco ASA Denial of Service Vulnerability",
    ],
  },
];

export const VENDORS: readonly { product: string; vendor: string }[] = [
  { product: "openssl", vendor: "openssl" },
  { product: "windows_server_2019", vendor: "microsoft" },
  { product: "chrome", vendor: "google" },
  { product: "ios_xe", vendor: "cisco" },
  { product: "log4j", vendor: "apache" },
  { product: "tomcat", vendor: "apache" },
];

export const APP_NAMES: readonly string[] = [
  "Customer Portal",
  "Payments API",
  "Internal HR",
  "Marketing Site",
  "Partner Extranet",
  "Juice Shop",
  "Order Service",
  "Identity Provider",
  "Support Desk",
  "Analytics Dashboard",
  "Mobile Backend",
  "Billing Portal",
  "Kundenportal Zürich",
  "Portail Clients Montréal",
  "東京 Storefront",
  "Inventory Manager",
];

export const DOMAINS: readonly string[] = [
  "example.com",
  "example.net",
  "example.org",
  "shop.example",
  "corp.example",
];

/** Strings attackers send and scanners report back: every HTML output must escape them. */
export const HOSTILE: readonly string[] = [
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(document.domain)>',
  "' OR '1'='1' -- ",
  "../../../../etc/passwd",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, literally.
  "{{7*7}}${7*7}",
  "javascript:alert(1)//",
  "<svg/onload=alert`1`>",
  "'; DROP TABLE users; --",
  "]]><evil/>",
  "%3Cscript%3Ealert(1)%3C/script%3E",
];

/**
 * Strings a hostile web app can put into every text field of a report: markup and script, `javascript:` URLs,
 * spreadsheet formula prefixes, terminal escapes, bidirectional overrides and CI workflow commands. XML 1.0
 * cannot carry ESC or BEL, so text fields use the 8-bit CSI (U+009B, allowed in XML) and the 7-bit ESC
 * sequences travel inside base64 response contents (see `HOSTILE_RESPONSE`).
 */
export const HOSTILE_REPORT_TEXT: readonly string[] = [
  "<script>alert('report')</script>",
  '<img src=x onerror="alert(document.domain)">',
  "javascript:alert(document.cookie)",
  '=HYPERLINK("https://evil.example/","open")',
  "+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  "\u009b31mred\u009b0m \u009b2J",
  "admin\u202egnp.exe",
  "\u2066isolated\u2069 \u202dforced\u202c",
  "##vso[task.setvariable variable=token]stolen",
  "::error file=app.js,line=1::injected",
  "::add-mask::nothing ::stop-commands::x",
  "]]><evil attr='1'/>",
];

/** A response body for base64 contents: 7-bit terminal escapes (clear screen, colour, window title) and markup. */
export const HOSTILE_RESPONSE =
  "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n\u001b[2J\u001b[31mALERT\u001b[0m\u001b]0;pwned\u0007" +
  '<script>alert(1)</script><a href="javascript:alert(2)">x</a>\n##vso[task.complete result=Succeeded]\n' +
  "::error::from response\n=cmd|' /C calc'!A0\n\u202eevil\n";

export const PARAMS: readonly string[] = [
  "q",
  "id",
  "search",
  "redirect",
  "file",
  "user",
  "callback",
  "sort",
  "lang",
  "token",
];

export const OWNERS = [
  { id: 17729931, username: "sec_owner", firstName: "Sam", lastName: "Owner" },
  { id: 17729932, username: "appsec_lead", firstName: "Ana", lastName: "Lead" },
  { id: 17729933, username: "dev_ops", firstName: "Dev", lastName: "Ops" },
] as const;

export const OS_NAMES: readonly string[] = [
  "Linux 4.x",
  "Windows Server 2019",
  "Ubuntu 22.04",
  "Red Hat Enterprise Linux 8",
  "Windows 10",
  "Cisco IOS XE 17",
];
