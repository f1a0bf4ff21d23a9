// Command tlogcheck checks Merkle log proofs and signed notes produced by
// @probity/crypto against Go's reference implementation
// (golang.org/x/mod/sumdb/tlog and golang.org/x/mod/sumdb/note).
//
// It also judges signed-note and checkpoint vectors the way Go code reads
// them: note.Open for the note, filippo.io/torchwood's ParseCheckpoint (plus
// a non-empty origin, which the C2SP spec requires) for the checkpoint body,
// and transparency-dev/formats' rule that the log's own key must have signed.
//
// And it signs DSSE envelopes as a Go emitter using go-securesystemslib
// would, with that library's default key ids.
//
// It reads one JSON request on stdin and writes one JSON response on stdout.
// Every check reports its own outcome ("ok" or the Go error text) so the
// TypeScript test can assert both that good inputs pass and that tampered
// inputs are rejected by Go, not only by our own verifier.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"filippo.io/torchwood"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type recordCheck struct {
	TreeSize int64    `json:"treeSize"`
	TreeHash string   `json:"treeHash"`
	Index    int64    `json:"index"`
	LeafHash string   `json:"leafHash"`
	Proof    []string `json:"proof"`
}

type treeCheck struct {
	TreeSize int64    `json:"treeSize"`
	TreeHash string   `json:"treeHash"`
	OldSize  int64    `json:"oldSize"`
	OldHash  string   `json:"oldHash"`
	Proof    []string `json:"proof"`
}

type noteOpen struct {
	Note string `json:"note"`
	VKey string `json:"vkey"`
}

type noteSign struct {
	Text string `json:"text"`
	SKey string `json:"skey"`
}

// noteJudge is one vector: the note's bytes, the log's verifier key, and
// other known keys (witnesses).
type noteJudge struct {
	NoteB64 string   `json:"noteB64"`
	LogKey  string   `json:"logKey"`
	Others  []string `json:"others"`
}

type judgeResult struct {
	// Parse: "ok" when the note is well formed (note.Open with no known keys
	// reports it unverified), else the error.
	Parse string `json:"parse"`
	// Checkpoint: the body of a well-formed note parsed as a checkpoint.
	Checkpoint string `json:"checkpoint,omitempty"`
	// Verify: "ok", or "malformed", "invalid signature", "unverified",
	// "no log signature", "malformed checkpoint".
	Verify    string `json:"verify"`
	Origin    string `json:"origin,omitempty"`
	Size      int64  `json:"size,omitempty"`
	Root      string `json:"root,omitempty"`
	Extension string `json:"extension,omitempty"`
}

// dsseSign asks for an envelope over the payload, signed with a PKCS#8 PEM
// Ed25519 key loaded by go-securesystemslib (which computes its own key id).
type dsseSign struct {
	PayloadB64  string `json:"payloadB64"`
	PayloadType string `json:"payloadType"`
	PrivatePEM  string `json:"privatePem"`
}

type request struct {
	// LeafHashes, when present, are appended to a Go-side stored-hash log;
	// the stored hashes we computed must equal Go's byte for byte.
	LeafHashes   []string `json:"leafHashes"`
	StoredHashes []string `json:"storedHashes"`
	// For each size, Go computes TreeHash and proofs from its own log so the
	// test can compare them with ours.
	Sizes       []int64       `json:"sizes"`
	Records     []recordCheck `json:"records"`
	Trees       []treeCheck   `json:"trees"`
	Opens       []noteOpen    `json:"opens"`
	Signs       []noteSign    `json:"signs"`
	GenerateKey string        `json:"generateKey"`
	Judges      []noteJudge   `json:"judges"`
	DSSESigns   []dsseSign    `json:"dsseSigns"`
}

type sizeResult struct {
	Size     int64  `json:"size"`
	TreeHash string `json:"treeHash"`
	// RecordProofs[i] is Go's ProveRecord(size, i); TreeProofs[m-1] is ProveTree(size, m).
	RecordProofs [][]string `json:"recordProofs"`
	TreeProofs   [][]string `json:"treeProofs"`
}

type openResult struct {
	Result string   `json:"result"`
	Text   string   `json:"text"`
	Names  []string `json:"names"`
}

type response struct {
	StoredHashesMatch *bool            `json:"storedHashesMatch,omitempty"`
	StoredHashCount   int64            `json:"storedHashCount"`
	Sizes             []sizeResult     `json:"sizes"`
	Records           []string         `json:"records"`
	Trees             []string         `json:"trees"`
	Opens             []openResult     `json:"opens"`
	Signed            []string         `json:"signed"`
	GeneratedSKey     string           `json:"generatedSKey,omitempty"`
	GeneratedVKey     string           `json:"generatedVKey,omitempty"`
	Judges            []judgeResult    `json:"judges"`
	DSSE              []*dsse.Envelope `json:"dsse"`
}

func main() {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fail("decode request: %v", err)
	}
	var resp response

	stored := buildStoredHashes(req.LeafHashes)
	resp.StoredHashCount = int64(len(stored))
	if req.StoredHashes != nil {
		match := len(req.StoredHashes) == len(stored)
		for i := 0; match && i < len(stored); i++ {
			match = decodeHash(req.StoredHashes[i]) == stored[i]
		}
		resp.StoredHashesMatch = &match
	}
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			if idx < 0 || idx >= int64(len(stored)) {
				return nil, fmt.Errorf("stored hash %d out of range", idx)
			}
			out[i] = stored[idx]
		}
		return out, nil
	})

	for _, size := range req.Sizes {
		th, err := tlog.TreeHash(size, reader)
		if err != nil {
			fail("TreeHash(%d): %v", size, err)
		}
		r := sizeResult{Size: size, TreeHash: encodeHash(th)}
		for i := int64(0); i < size; i++ {
			p, err := tlog.ProveRecord(size, i, reader)
			if err != nil {
				fail("ProveRecord(%d, %d): %v", size, i, err)
			}
			r.RecordProofs = append(r.RecordProofs, encodeHashes(p))
		}
		for m := int64(1); m <= size; m++ {
			p, err := tlog.ProveTree(size, m, reader)
			if err != nil {
				fail("ProveTree(%d, %d): %v", size, m, err)
			}
			r.TreeProofs = append(r.TreeProofs, encodeHashes(p))
		}
		resp.Sizes = append(resp.Sizes, r)
	}

	for _, c := range req.Records {
		err := tlog.CheckRecord(decodeHashes(c.Proof), c.TreeSize, decodeHash(c.TreeHash), c.Index, decodeHash(c.LeafHash))
		resp.Records = append(resp.Records, outcome(err))
	}
	for _, c := range req.Trees {
		err := tlog.CheckTree(decodeHashes(c.Proof), c.TreeSize, decodeHash(c.TreeHash), c.OldSize, decodeHash(c.OldHash))
		resp.Trees = append(resp.Trees, outcome(err))
	}

	for _, o := range req.Opens {
		resp.Opens = append(resp.Opens, openNote(o))
	}
	for _, s := range req.Signs {
		signer, err := note.NewSigner(s.SKey)
		if err != nil {
			fail("NewSigner: %v", err)
		}
		msg, err := note.Sign(&note.Note{Text: s.Text}, signer)
		if err != nil {
			fail("Sign: %v", err)
		}
		resp.Signed = append(resp.Signed, string(msg))
	}
	if req.GenerateKey != "" {
		skey, vkey, err := note.GenerateKey(rand.Reader, req.GenerateKey)
		if err != nil {
			fail("GenerateKey: %v", err)
		}
		resp.GeneratedSKey, resp.GeneratedVKey = skey, vkey
	}

	for _, j := range req.Judges {
		resp.Judges = append(resp.Judges, judge(j))
	}
	for _, d := range req.DSSESigns {
		resp.DSSE = append(resp.DSSE, signDSSE(d))
	}

	if err := json.NewEncoder(os.Stdout).Encode(resp); err != nil {
		fail("encode response: %v", err)
	}
}

func openNote(o noteOpen) openResult {
	v, err := note.NewVerifier(o.VKey)
	if err != nil {
		return openResult{Result: "NewVerifier: " + err.Error()}
	}
	n, err := note.Open([]byte(o.Note), note.VerifierList(v))
	if err != nil {
		return openResult{Result: err.Error()}
	}
	names := []string{}
	for _, s := range n.Sigs {
		names = append(names, s.Name)
	}
	return openResult{Result: "ok", Text: n.Text, Names: names}
}

func parseCheckpoint(text string) (torchwood.Checkpoint, error) {
	c, err := torchwood.ParseCheckpoint(text)
	if err == nil && c.Origin == "" {
		err = errors.New("malformed checkpoint: empty origin")
	}
	return c, err
}

func judge(j noteJudge) judgeResult {
	msg, err := base64.StdEncoding.DecodeString(j.NoteB64)
	if err != nil {
		fail("judge: note is not base64: %v", err)
	}
	var r judgeResult

	// Well-formedness: with no known keys, a well-formed note is "unverified".
	_, err = note.Open(msg, note.VerifierList())
	var unverified *note.UnverifiedNoteError
	if errors.As(err, &unverified) {
		r.Parse = "ok"
		if _, cerr := parseCheckpoint(unverified.Note.Text); cerr != nil {
			r.Checkpoint = cerr.Error()
		} else {
			r.Checkpoint = "ok"
		}
	} else {
		r.Parse = outcome(err)
	}

	// Verification as transparency-dev/formats log.ParseCheckpoint does it:
	// open with the log's and the other keys, then require the log's signature.
	logV, err := note.NewVerifier(j.LogKey)
	if err != nil {
		fail("judge: log key: %v", err)
	}
	vs := []note.Verifier{logV}
	for _, k := range j.Others {
		v, err := note.NewVerifier(k)
		if err != nil {
			fail("judge: other key: %v", err)
		}
		vs = append(vs, v)
	}
	n, err := note.Open(msg, note.VerifierList(vs...))
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &unverified):
		r.Verify = "unverified"
		return r
	case errors.As(err, &invalid):
		r.Verify = "invalid signature"
		return r
	case err != nil:
		r.Verify = "malformed"
		return r
	}
	byLog := false
	for _, s := range n.Sigs {
		byLog = byLog || (s.Name == logV.Name() && s.Hash == logV.KeyHash())
	}
	if !byLog {
		r.Verify = "no log signature"
		return r
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		r.Verify = "malformed checkpoint"
		return r
	}
	r.Verify = "ok"
	r.Origin, r.Size, r.Root, r.Extension = c.Origin, c.N, encodeHash(c.Hash), c.Extension
	return r
}

func signDSSE(d dsseSign) *dsse.Envelope {
	payload, err := base64.StdEncoding.DecodeString(d.PayloadB64)
	if err != nil {
		fail("dsse: payload is not base64: %v", err)
	}
	key, err := signerverifier.LoadKey([]byte(d.PrivatePEM))
	if err != nil {
		fail("dsse: LoadKey: %v", err)
	}
	sv, err := signerverifier.NewED25519SignerVerifierFromSSLibKey(key)
	if err != nil {
		fail("dsse: signer: %v", err)
	}
	signer, err := dsse.NewEnvelopeSigner(sv)
	if err != nil {
		fail("dsse: envelope signer: %v", err)
	}
	envelope, err := signer.SignPayload(context.Background(), d.PayloadType, payload)
	if err != nil {
		fail("dsse: SignPayload: %v", err)
	}
	return envelope
}

// buildStoredHashes appends every leaf hash to an in-memory tlog, exactly as
// a Go log server would with its own storage.
func buildStoredHashes(leafHashes []string) []tlog.Hash {
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			out[i] = stored[idx]
		}
		return out, nil
	})
	for n, lh := range leafHashes {
		hashes, err := tlog.StoredHashesForRecordHash(int64(n), decodeHash(lh), reader)
		if err != nil {
			fail("StoredHashesForRecordHash(%d): %v", n, err)
		}
		stored = append(stored, hashes...)
	}
	return stored
}

func outcome(err error) string {
	if err != nil {
		return err.Error()
	}
	return "ok"
}

func decodeHash(s string) tlog.Hash {
	var h tlog.Hash
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != len(h) {
		fail("bad hash %q", s)
	}
	copy(h[:], b)
	return h
}

func decodeHashes(list []string) []tlog.Hash {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		out[i] = decodeHash(s)
	}
	return out
}

func encodeHash(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

func encodeHashes(list []tlog.Hash) []string {
	out := make([]string, len(list))
	for i, h := range list {
		out[i] = encodeHash(h)
	}
	return out
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "tlogcheck: "+format+"\n", args...)
	os.Exit(2)
}
