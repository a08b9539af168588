/**
 * "a" or "an" before a phrase built at run time ("an ECR repository ARN", "a KMS key ARN", "an object"),
 * so messages read right whatever they name. The choice follows the sound: initialisms by how their
 * first letter is spoken (an IAM, an S3, a KMS, a GKE), words by their first letter, with the few
 * English exceptions messages meet (a user, a unique, an hour).
 */

/** Letters whose spoken name starts with a vowel sound: "ay", "ee", "ef", "aitch", "eye", "el", "em", "en", "oh", "ar", "es", "ex". */
const VOWEL_SOUND_LETTERS = new Set("AEFHILMNORSX");
/** Words starting with a vowel letter but a consonant sound ("a unique name", "a one-time token"). */
const CONSONANT_SOUND = /^(?:uni|use|usa|usu|ut[ei]|uri|ure|eu|one\b|once)/i;
/** Initialisms spoken as words ("a SOPS key"). */
const SPOKEN_AS_WORDS = new Set(["SOPS", "SAML", "NASA"]);
/** Words starting with a silent h ("an hour"). */
const VOWEL_SOUND = /^(?:hour|honest|honou?r|heir)/i;

/** "a" or "an" for `phrase`. */
export function article(phrase: string): "a" | "an" {
    const word = phrase.trim().split(/[\s/(]/)[0] ?? "";
    if (word === "") return "a";
    // An initialism: two or more capitals or digits (KMS, S3, ECR, IAM, GKE, OIDC), or one capital letter alone.
    if ((/^[A-Z][A-Z0-9]+(?:[-.][A-Za-z0-9]*)?$/.test(word) || /^[A-Z]$/.test(word)) && !SPOKEN_AS_WORDS.has(word)) {
        return VOWEL_SOUND_LETTERS.has(word[0]) ? "an" : "a";
    }
    // Spec keys that are initialisms written in lower case: s3, kms, gcs, rbacRoles.
    const lead = /^[a-z][a-z0-9]*/.exec(word)?.[0] ?? "";
    if (/^rbac/.test(lead) || (lead.length >= 2 && lead.length <= 4 && (/[0-9]/.test(lead) || !/[aeiouy]/.test(lead)))) {
        return VOWEL_SOUND_LETTERS.has(lead[0].toUpperCase()) ? "an" : "a";
    }
    // Numbers: "an 8", "an 11", "an 18", "a 16".
    if (/^[0-9]/.test(word)) return /^(?:8|1[18](?![0-9]))/.test(word) ? "an" : "a";
    if (VOWEL_SOUND.test(word)) return "an";
    if (CONSONANT_SOUND.test(word)) return "a";
    return /^[aeiou]/i.test(word) ? "an" : "a";
}

/** `phrase` with its article: "an ECR repository ARN", "a KMS key ARN", "an object". */
export function withArticle(phrase: string): string {
    return `${article(phrase)} ${phrase}`;
}
