import KhaosanClient
import KhaosanWire
import Testing

/// `khaosan diff`'s text: unified lines of the changed fields only, colour only when enabled.
@Suite struct DiffOutputTests {
    static let response = DiffResponse(
        id: 7, oldVersion: 1, newVersion: 2, oldStoredAtUnixMs: 0, newStoredAtUnixMs: 86_400_000,
        fields: [
            DiffField(name: "title", edits: [DiffEdit(kind: .equal, text: "ข่าว")]),
            DiffField(name: "paragraph", edits: [
                DiffEdit(kind: .equal, text: "ไปจังหวัด"), DiffEdit(kind: .delete, text: "เชียงใหม่"),
                DiffEdit(kind: .insert, text: "เชียงราย"), DiffEdit(kind: .equal, text: " วันนี้"),
            ], oldNumber: 2, newNumber: 2),
            DiffField(name: "paragraph", edits: [DiffEdit(kind: .insert, text: "ใหม่")], oldNumber: 0, newNumber: 3),
            DiffField(name: "category", edits: [DiffEdit(kind: .delete, text: "ด้านสังคม"), DiffEdit(kind: .insert, text: "ด้านเศรษฐกิจ")]),
        ], versions: 2)

    @Test func plainTextIsAUnifiedDiffOfTheChangedFields() {
        #expect(renderDiff(Self.response, style: .plain) == [
            "--- #7 version 1 (stored 1970-01-01T00:00:00.000Z)",
            "+++ #7 version 2 (stored 1970-01-02T00:00:00.000Z)",
            "@@ paragraph -2 +2 @@", "-ไปจังหวัดเชียงใหม่ วันนี้", "+ไปจังหวัดเชียงราย วันนี้",
            "@@ paragraph +3 (added) @@", "+ใหม่",
            "@@ category @@", "-ด้านสังคม", "+ด้านเศรษฐกิจ",
        ])
    }

    @Test func colourMarksExactlyTheEditedWords() {
        let lines = renderDiff(Self.response, style: Style(enabled: true))
        #expect(lines[3].contains("\u{1B}[7m\u{1B}[31mเชียงใหม่\u{1B}[0m"))
        #expect(lines[4].contains("\u{1B}[7m\u{1B}[32mเชียงราย\u{1B}[0m"))
        #expect(!lines[3].contains("\u{1B}[7m\u{1B}[31mไปจังหวัด"))
    }

    @Test func noChangeSaysSo() {
        let same = DiffResponse(id: 7, oldVersion: 1, newVersion: 2, fields: [DiffField(name: "title", edits: [DiffEdit(kind: .equal, text: "ข่าว")])])
        #expect(renderDiff(same, style: .plain).last == "(no differences in the text or the fields compared)")
    }
}
